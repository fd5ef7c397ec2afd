"""Print every page's serialised Bokeh document, in both themes, as one JSON line each, with the
parts that differ between any two builds (model ids, session uuids, Python object ids) replaced
by their order of appearance. Run by tests/test_speedups.py, with and without `--plain`:
`--plain` keeps Bokeh and Panel as they ship (widgets/speedups.install does nothing). Every
deferred section is drawn first, so that the documents hold everything a reader can reach."""

import json
import re
import sys
import types
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
if "--plain" in sys.argv:
    sys.modules["widgets.speedups"] = types.SimpleNamespace(install=lambda: False)

from bokeh.document import Document
from bokeh.settings import settings
from panel.io.state import set_curdoc

import app
from widgets.deferred import draw_all

PAGES = [None, *range(len(app.CHAPTERS))]


def normalised(content: dict) -> str:
    ids = {}

    def name(raw):
        return ids.setdefault(raw, f"ID{len(ids)}")

    def walk(value):
        if isinstance(value, dict):
            return {key: name(item) if key == "id" and isinstance(item, str) else walk(item)
                    for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [walk(item) for item in value]
        if isinstance(value, str):
            value = re.sub(r"p\d{4,}", lambda match: name(match.group(0)), value)
            value = re.sub(r"[0-9a-f]{32}", "UUID", value)
            return re.sub(r"\d{12,}", "PYID", value)
        if isinstance(value, int) and not isinstance(value, bool) and value > 10**12:
            return "PYID"
        return value

    return json.dumps(walk(content), sort_keys=True)


def main():
    print(json.dumps({"speedups": app.speedups.install()}))
    settings.perform_document_validation.set_value(False)
    for chapter in PAGES:
        for theme in ("default", "dark"):
            args = {"theme": [theme.encode()]} | ({} if chapter is None else {"chapter": [str(chapter).encode()]})
            document = Document()
            with set_curdoc(document), document.models.freeze():
                page = app.create_app(args)
                draw_all(*page.main)
                page.server_doc(document)
            content = document.to_json(deferred=False)  # arrays inline, so that their values are compared
            print(json.dumps({"page": chapter, "theme": theme, "models": len(document.models),
                              "document": normalised(content)}))


if __name__ == "__main__":
    main()
