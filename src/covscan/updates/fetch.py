"""Downloads over HTTPS only: certificate checked (the system's trust store, or a CA bundle the user
names), redirects only to HTTPS, a timeout on every read, and a size cap that stops reading at the
cap instead of holding whatever a server sends."""
from __future__ import annotations

import ssl
import urllib.error
import urllib.request
from collections.abc import Callable
from importlib import metadata
from pathlib import Path
from urllib.parse import urlsplit

CHUNK = 1 << 16
USER_AGENT = f"covscan/{metadata.version('covscan')} (data update)"


class DownloadError(Exception):
    """A download that did not give a whole file (the reason is one line, for the user)."""


class _HttpsOnlyRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        if urlsplit(newurl).scheme != "https":
            raise DownloadError(f"redirected to a non-HTTPS address ({newurl[:80]}); refused")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def download(url: str, max_bytes: int, timeout: float, ca_bundle: Path | None = None,
             progress: Callable[[int, int | None], None] | None = None) -> bytes:
    """The whole body of a 200 response, or DownloadError. `progress(done, total)` after each chunk."""
    if urlsplit(url).scheme != "https":
        raise DownloadError(f"not an HTTPS address: {url[:80]}")
    context = ssl.create_default_context(cafile=str(ca_bundle) if ca_bundle else None)
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _HttpsOnlyRedirects())
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Accept-Encoding": "identity"})
    try:
        with opener.open(request, timeout=timeout) as response:
            length = response.headers.get("Content-Length")
            total = int(length) if length and length.isdigit() else None
            if total is not None and total > max_bytes:
                raise DownloadError(f"the server announces {total:,} bytes, more than the {max_bytes:,} allowed for this source")
            body = bytearray()
            while chunk := response.read(CHUNK):
                body += chunk
                if len(body) > max_bytes:
                    raise DownloadError(f"more than the {max_bytes:,} bytes allowed for this source; stopped reading")
                if progress:
                    progress(len(body), total)
            if total is not None and len(body) != total:
                raise DownloadError(f"truncated: {len(body):,} of the {total:,} bytes announced")
            return bytes(body)
    except DownloadError:
        raise
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"HTTP {exc.code} {exc.reason}") from None
    except urllib.error.URLError as exc:
        reason = exc.reason
        raise DownloadError(f"timed out after {timeout:g} s" if isinstance(reason, TimeoutError) else f"cannot connect: {reason}") from None
    except TimeoutError:
        raise DownloadError(f"timed out after {timeout:g} s (no data)") from None
    except (ssl.SSLError, ConnectionError, OSError) as exc:
        raise DownloadError(f"connection failed: {exc}") from None
    except ValueError as exc:  # http.client's IncompleteRead and malformed responses
        raise DownloadError(f"bad response: {exc}") from None
