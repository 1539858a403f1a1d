"""Frontlines: read articles, find and place every toponym offline, extract dated events, map them.

Public API (small, stable):

- :class:`frontlines.pipeline.Extractor` — articles to :class:`frontlines.records.Extraction`
- :func:`frontlines.store.open_store` and :class:`frontlines.store.Filters` — the store
- :func:`frontlines.gazetteer.load_gazetteer` and :class:`frontlines.geocoder.FrontlinesGazetteer` (geopy)
- :mod:`frontlines.maps` — the folium map and the offline PNG
"""

__version__ = "0.1.0"
