"""Prints, as JSON, the role and name of the focused object in one application's accessibility
tree, read over AT-SPI as a screen reader reads it.

Usage: focused_accessible.py PID   (the process id of the application, e.g. sesame-app)
Exit status 2 when the application is not on the accessibility bus, 3 when nothing in it has
the focus.
"""

import json
import sys

import pyatspi


def focused_in(node, depth=0):
    """The deepest focused descendant of `node` (a screen reader speaks that one)."""
    if node is None or depth > 60:
        return None
    found = None
    try:
        if node.getState().contains(pyatspi.STATE_FOCUSED):
            found = node
        for child in node:
            deeper = focused_in(child, depth + 1)
            if deeper is not None:
                return deeper
    except Exception:  # an object that went away while being read
        return found
    return found


def main():
    pid = int(sys.argv[1])
    desktop = pyatspi.Registry.getDesktop(0)
    application = next(
        (app for app in desktop if app is not None and app.get_process_id() == pid), None
    )
    if application is None:
        names = [app.name for app in desktop if app is not None]
        print(f"process {pid} is not on the accessibility bus (there: {names})", file=sys.stderr)
        return 2
    focused = focused_in(application)
    if focused is None:
        print("nothing has the focus", file=sys.stderr)
        return 3
    print(json.dumps({"role": focused.getRoleName(), "name": focused.name}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
