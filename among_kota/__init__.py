"""Among Kota: city information for residents and tourists — places, events, and (to come)
news, city conditions, UMKM and public services (issue 13).

Everything here is read by many and written by a few agency editors:

- ``content/``  (app ``kota_content``): the editorial workflow every kind of content shares —
  who may edit what (``content_editor`` bound to one SKPD; admins and Diskominfo editors
  edit anything), drafts, publishing now or at a set time, revisions with rollback;
- ``places/``   (app ``kota_places``): places with categories as data, opening hours, the
  ``places`` search, the ``batt places import`` command, demo places of Batu;
- ``agenda/``   (app ``kota_events``): events, one-off or recurring, and the iCalendar feed.

Public data changes record domain events (:mod:`among_kota.events`) so caches can follow.
"""
