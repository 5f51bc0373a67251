"""Push notifications (Firebase Cloud Messaging).

Other domains call one function, :func:`backend.push.services.enqueue_push`, inside the unit
of work of the change they notify about. It only writes outbox rows; the ``push-outbox`` job
(:mod:`backend.push.sender`) delivers them to the users' registered devices, with retries, so
a slow or failing FCM never slows or fails a mutation.
"""
