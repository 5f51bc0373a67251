"""Among Kota's HTTP feeds: events as iCalendar, news as Atom, city conditions as GeoJSON."""

from __future__ import annotations

from among_kota.agenda.feeds import routes as event_feeds
from among_kota.conditions.feeds import routes as condition_feeds
from among_kota.news.feeds import routes as news_feeds

routes = [*event_feeds, *news_feeds, *condition_feeds]
