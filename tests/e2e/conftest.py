"""Browser journeys: Playwright drives Debian's Chromium against the app served from this process."""
from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest
from playwright.sync_api import expect
from werkzeug.serving import make_server

# expect() gives up after 5 s by default: on a busy machine processing two photos or rendering a page of
# sixty products can take longer, and a correct journey failed. Waiting longer only delays a real failure.
expect.set_options(timeout=30_000)

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
SCREENSHOTS = Path(__file__).parent / "screenshots"


@pytest.fixture(autouse=True)
def _require_chromium():
    if not CHROMIUM.exists():
        message = f"browser journeys need Chromium at {CHROMIUM} (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message + "; in CI a browser test must run, never skip")
        pytest.skip(message)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"],
    }


class LiveServer:
    def __init__(self, app):
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.thread.join(timeout=5)


@pytest.fixture()
def live_server(app):
    with LiveServer(app) as server:
        yield server


@pytest.fixture(scope="module")
def demo_catalog(committed_shared_data):
    """`flask seed-demo`'s accounts and catalog, committed once for the journeys that only read them."""
    from marketplace.demo.seed import seed_demo
    from marketplace.extensions import db
    from marketplace.media.storage import storage

    with committed_shared_data.building() as app, app.app_context():
        seed_demo(storage())
        db.session.commit()
    committed_shared_data.demo_seeded = True
    return committed_shared_data


@pytest.fixture()
def screenshot():
    """Save what the user sees at phone and desktop width, for a person to look at."""
    SCREENSHOTS.mkdir(exist_ok=True)

    def take(page, name: str) -> None:
        for width, height in ((360, 780), (1280, 900)):
            page.set_viewport_size({"width": width, "height": height})
            page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)

    return take
