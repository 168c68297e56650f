import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

REPO = Path(__file__).parents[1]


@pytest.fixture(scope="session")
def example_config(tmp_path_factory) -> Path:
    """config.yaml of a copy of the example site: a build keeps its cache beside config.yaml, so
    tests that built the checkout's own wrote .perfpages-cache into it, and two test processes
    (pytest -n) would have shared one cache while building at once."""
    root = tmp_path_factory.mktemp("example-site")
    shutil.copy2(REPO / "config.yaml", root / "config.yaml")
    for folder in ("content", "data", "themes"):
        shutil.copytree(REPO / folder, root / folder)
    return root / "config.yaml"
