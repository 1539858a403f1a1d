"""The map's JavaScript and CSS, served from this machine: never from a CDN.

folium and streamlit-folium load Leaflet, jQuery, Bootstrap and plugins from public CDNs by default.
Frontlines works offline, so the files come from the PyPI packages ``xstatic-leaflet`` (1.9.3, the version
folium pins), ``xstatic-jquery`` and ``xstatic-leaflet-markercluster``:

* the dashboard copies them into ``dashboard/static/vendor/`` (:func:`install_static`) and Streamlit
  serves them at ``/app/static/vendor/...`` (``server.enableStaticServing``);
* a saved HTML map carries them inline (:func:`inline_assets_html`), so the file opens anywhere.

Bootstrap, awesome-markers and the glyph fonts are dropped: the map uses CircleMarkers and DivIcons.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import shutil
from functools import cache, lru_cache
from pathlib import Path

log = logging.getLogger(__name__)

#: where Streamlit serves dashboard/static/vendor/
DEFAULT_BASE_URL = "/app/static/vendor"

# (vendor file name, xstatic package module, file inside the package's data dir)
_FILES: tuple[tuple[str, str, str], ...] = (
    ("leaflet.js", "xstatic.pkg.leaflet", "leaflet.js"),
    ("leaflet.css", "xstatic.pkg.leaflet", "leaflet.css"),
    ("images/layers.png", "xstatic.pkg.leaflet", "images/layers.png"),
    ("images/layers-2x.png", "xstatic.pkg.leaflet", "images/layers-2x.png"),
    ("images/marker-icon.png", "xstatic.pkg.leaflet", "images/marker-icon.png"),
    ("images/marker-icon-2x.png", "xstatic.pkg.leaflet", "images/marker-icon-2x.png"),
    ("images/marker-shadow.png", "xstatic.pkg.leaflet", "images/marker-shadow.png"),
    ("jquery.min.js", "xstatic.pkg.jquery", "jquery.min.js"),
    ("leaflet.markercluster.js", "xstatic.pkg.leaflet_markercluster", "leaflet.markercluster.js"),
    ("MarkerCluster.css", "xstatic.pkg.leaflet_markercluster", "MarkerCluster.css"),
    ("MarkerCluster.Default.css", "xstatic.pkg.leaflet_markercluster", "MarkerCluster.Default.css"),
)

#: what folium.Map needs, in load order (jQuery: folium's popups use it)
MAP_JS = (("leaflet", "leaflet.js"), ("jquery", "jquery.min.js"))
MAP_CSS = (("leaflet_css", "leaflet.css"),)
CLUSTER_JS = (("markerclusterjs", "leaflet.markercluster.js"),)
CLUSTER_CSS = (("markerclustercss", "MarkerCluster.css"), ("markerclusterdefaultcss", "MarkerCluster.Default.css"))


class AssetError(RuntimeError):
    """A vendored file is missing: reinstall the xstatic-* packages."""


@lru_cache(maxsize=1)
def vendor_files() -> dict[str, Path]:
    """Vendor file name (as served under ``vendor/``) -> the file inside its installed xstatic package."""
    import importlib

    out: dict[str, Path] = {}
    for name, module, rel in _FILES:
        try:
            pkg = importlib.import_module(module)
        except ImportError as exc:  # pragma: no cover - declared dependencies
            raise AssetError(f"{module} is not installed: pip install {module.split('.')[-1]} (xstatic)") from exc
        base = Path(getattr(pkg, "BASE_DIR", Path(pkg.__file__).parent / "data"))
        path = base / rel
        if not path.exists():  # pragma: no cover
            raise AssetError(f"{path} is missing: reinstall {module}")
        out[name] = path
    return out


def install_static(dest: Path) -> Path:
    """Copy the vendored files into ``dest/vendor/`` (unless ``dest`` already ends in ``vendor``).

    Returns the vendor directory. Files already there with the same content are left alone, so it is cheap
    to call at every start-up.
    """
    dest = Path(dest)
    vendor = dest if dest.name == "vendor" else dest / "vendor"
    for name, src in vendor_files().items():
        target = vendor / name
        if target.exists() and target.stat().st_size == src.stat().st_size and _digest(target) == _digest(src):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
        log.debug("installed %s", target)
    return vendor


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def local_js(base_url: str, files: tuple[tuple[str, str], ...] = MAP_JS) -> list[tuple[str, str]]:
    return [(key, f"{base_url.rstrip('/')}/{name}") for key, name in files]


def local_css(base_url: str, files: tuple[tuple[str, str], ...] = MAP_CSS) -> list[tuple[str, str]]:
    return [(key, f"{base_url.rstrip('/')}/{name}") for key, name in files]


def patch_folium(base_url: str = DEFAULT_BASE_URL) -> None:
    """Point folium's class-level defaults (Map and MarkerCluster) at local URLs under ``base_url``.

    :func:`frontlines.maps.build_map` sets the same lists on each map it builds, so this is only needed
    for folium maps made elsewhere.
    """
    import folium
    from folium.plugins import MarkerCluster

    folium.Map.default_js = local_js(base_url, MAP_JS)
    folium.Map.default_css = local_css(base_url, MAP_CSS)
    MarkerCluster.default_js = local_js(base_url, CLUSTER_JS)
    MarkerCluster.default_css = local_css(base_url, CLUSTER_CSS)


@cache
def _read_text(name: str) -> str:
    return vendor_files()[name].read_text(encoding="utf-8")


def _inline_css(name: str) -> str:
    """A vendored stylesheet with its url(images/...) references turned into data: URIs."""
    css = _read_text(name)
    files = vendor_files()

    def repl(m: re.Match[str]) -> str:
        ref = m.group(2)
        if ref.startswith(("data:", "#")):
            return m.group(0)
        path = files.get(ref)
        if path is None:
            return m.group(0)
        data = base64.b64encode(path.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{data})"

    return re.sub(r"url\((['\"]?)([^'\")]+)\1\)", repl, css)


def _safe_script(js: str) -> str:
    # a literal "</script" inside inline JS would end the element early
    return js.replace("</script", "<\\/script")


def inline_assets_html(html: str, base_url: str = DEFAULT_BASE_URL) -> str:
    """Replace ``<script src>``/``<link href>`` tags pointing at ``base_url`` with the files' content.

    Tags pointing anywhere else (a CDN that crept in) are removed, and a warning is logged: the result
    loads nothing from the network.
    """
    base = base_url.rstrip("/") + "/"
    files = vendor_files()

    def script(m: re.Match[str]) -> str:
        src = m.group(1)
        name = src[len(base):] if src.startswith(base) else None
        if name in files:
            return f"<script>/* {name} (inlined) */\n{_safe_script(_read_text(name))}\n</script>"
        log.warning("dropping remote script %s from the offline HTML", src)
        return ""

    def link(m: re.Match[str]) -> str:
        tag = m.group(0)
        href = re.search(r'href=["\']([^"\']+)["\']', tag)
        if not href or "stylesheet" not in tag:
            return tag
        url = href.group(1)
        name = url[len(base):] if url.startswith(base) else None
        if name in files:
            return f"<style>/* {name} (inlined) */\n{_inline_css(name)}\n</style>"
        log.warning("dropping remote stylesheet %s from the offline HTML", url)
        return ""

    html = re.sub(r'<script[^>]*\bsrc=["\']([^"\']+)["\'][^>]*>\s*</script>', script, html, flags=re.I)
    html = re.sub(r"<link\b[^>]*>", link, html, flags=re.I)
    return html
