"""Served beside the course by the memory test (/live_objects_app): each visit writes to the
server's log how many objects its Python holds after a full collection, and how many sessions
(pages) the server still keeps, this one included."""

import gc

import panel as pn

gc.collect()
print(f"LIVE OBJECTS {len(gc.get_objects())} SESSIONS {pn.state.session_info['live']}", flush=True)
pn.pane.Str("counted").servable()
