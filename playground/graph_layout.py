"""Where the Graph view draws each node and edge: a pure, deterministic, Qt-free layout.

The layout is layered left to right (after Sugiyama et al.): every op sits one layer right of its
latest input, every leaf one layer left of its first use, so the data and parameters enter on the
left and the loss ends on the right. Each edge gets its label (the local gradient) as a box of
its own in the gap column just before its target, and long edges bend through small waypoints;
barycenter sweeps order every column to reduce crossings, and the vertical positions are the
least-squares best fit to straight edges that keeps each column's order and spacing (isotonic
regression, pool-adjacent-violators). Because boxes and labels are all items of columns that
never share x ranges, and items of one column never share y ranges, nothing overlaps; and edges
run diagonally only in the empty gaps between columns.

Box sizes come from the text they will hold, measured by a function the caller passes in
(``measure(text, role) -> (width, height)``; the Graph panel passes Qt's font metrics), so the
layout stays testable without Qt. The text is sized for the widest value it can show, so values
change during training without moving anything.

The text shown in the boxes is made here too (:func:`node_lines`, :func:`edge_label_lines`) so
that the sizes and the drawn text agree.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "Box",
    "EdgeRoute",
    "GraphLayout",
    "Item",
    "default_collapsed",
    "edge_label_lines",
    "format_array",
    "format_number",
    "group_key",
    "layout_graph",
    "node_lines",
    "visual_graph",
]

MINUS = "−"
#: The widest numbers the formats below produce (sizes are measured on these).
WIDEST_NUMBER = "−8.888e+88"
WIDEST_SHORT_NUMBER = "−8.88e+88"

PAD_X = 9.0
PAD_Y = 5.0
COLUMN_GAP = 22.0
NODE_GAP = 18.0
DUMMY_GAP = 6.0
LABEL_PAD_X = 3.0
LABEL_PAD_Y = 1.0
BEND_HEIGHT = 4.0
BEND_WIDTH = 8.0
PORT_SPACING = 13.0
MARGIN = 20.0
ORDER_SWEEPS = 12
POSITION_SWEEPS = 12


# ------------------------------------------------------------------------------------ text


def _compact(v, digits, limit):
    for d in range(digits, 0, -1):
        text = f"{v:.{d}g}".replace("-", MINUS)
        if len(text) <= limit:
            return text
    return text


def format_number(value) -> str:
    """A number in at most 10 characters (4 significant digits), with a true minus sign."""
    v = float(value)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == 0:
        return "0"
    return _compact(v, 4, len(WIDEST_NUMBER))


def _short(value) -> str:
    """A number in at most 9 characters (3 significant digits)."""
    v = float(value)
    if math.isnan(v) or math.isinf(v) or v == 0:
        return format_number(v)
    return _compact(v, 3, len(WIDEST_SHORT_NUMBER))


def shape_text(shape) -> str:
    """``(16, 1)`` as ``16×1``; a 0-d shape as ``scalar``."""
    return "×".join(str(s) for s in shape) if len(shape) else "scalar"


def format_array(value) -> str:
    """One line for a value: a number for one element, else the shape and the range of values.

    >>> format_array(np.array([[1.5]]))
    '1.5'
    >>> format_array(np.array([1.0, -2.0, 3.0]))
    '3 [−2, 3]'
    """
    if value is None:
        return "—"
    a = np.asarray(value)
    if a.size == 1:
        return format_number(a.reshape(-1)[0])
    shape = shape_text(a.shape)
    if a.size == 0:
        return f"{shape} (empty)"
    if np.isnan(a).any():
        return f"{shape} has nan"
    lo, hi = a.min(), a.max()
    if lo == hi:
        return f"{shape} all {format_number(lo)}"
    return f"{shape} [{_short(lo)}, {_short(hi)}]"


def _widest_array_text(shape) -> str:
    size = int(np.prod(shape)) if len(shape) else 1
    if size == 1:
        return WIDEST_NUMBER
    return f"{shape_text(shape)} [{WIDEST_SHORT_NUMBER}, {WIDEST_SHORT_NUMBER}]"


def node_title(node) -> str:
    """A leaf's name, or an op's operator and grad_fn name (``× MulBackward0``)."""
    if node.kind != "op":
        return node.label
    return f"{node.symbol} {node.op}"


def node_lines(trace, node_id, gradient="engine"):
    """The three lines of a node's box: title, value, gradient.

    ``gradient`` may be an array (or None) to show instead of the engine's (the backward
    stepper shows the gradients known so far), or ``"unknown"`` for "not computed yet".
    """
    node = trace.nodes[node_id]
    value_prefix = "loss " if node_id == trace.root else "value "
    if isinstance(gradient, str) and gradient == "engine":
        grad = node.grad
    else:
        grad = gradient
    if node.kind == "data":
        grad_text = "grad — (data)"
    elif isinstance(grad, str):
        grad_text = "grad ?"
    else:
        grad_text = "grad " + format_array(grad)
    return (node_title(node), value_prefix + format_array(node.value), grad_text)


def group_lines(group, trace, gradient="engine"):
    """The lines of a collapsed group's box: its title and its output's value and gradient."""
    _, value, grad = node_lines(trace, group.output, gradient)
    return (group.title + "  ▸", value, grad)


def edge_label_lines(local_grad):
    """An edge's label: the local gradient, one line for a number, two (shape, range) for a tensor."""
    if local_grad is None:
        return ("?",)
    a = np.asarray(local_grad)
    if a.size == 1:
        return (format_number(a.reshape(-1)[0]),)
    text = format_array(a)
    shape, _, rest = text.partition(" ")
    return (shape, rest)


def _template_node_lines(trace, item):
    if item.kind == "group":
        group = item.group
        node = trace.nodes[group.output]
        title = group.title + "  ▸"
    else:
        node = trace.nodes[item.node]
        title = node_title(node)
    widest = _widest_array_text(node.shape)
    value_prefix = "loss " if node.id == trace.root else "value "
    return (title, value_prefix + widest, "grad " + widest if node.kind != "data" else "grad — (data)")


def _template_label_lines(trace, edge_index):
    local = trace.edges[edge_index].local_grad
    shape = () if local is None else np.shape(local)
    if int(np.prod(shape)) <= 1:
        return (WIDEST_NUMBER,)
    return (shape_text(shape), f"[{WIDEST_SHORT_NUMBER}, {WIDEST_SHORT_NUMBER}]")


# ------------------------------------------------------------------------------ visual graph


def group_key(name) -> str:
    return f"group:{name}"


@dataclass(frozen=True)
class Item:
    """One box of the drawing: a trace node, or a collapsed group standing for several."""

    key: object  # the node id (int), or "group:<name>"
    kind: str  # "parameter", "data", "op" or "group"
    node: int | None = None
    group: object = None  # the tracing.Group, for kind "group"


@dataclass(frozen=True)
class VisualEdge:
    source: object
    target: object
    edge: int  # index into trace.edges whose local gradient labels this edge
    port: int  # position among the target's inputs (top to bottom)
    ports: int  # how many inputs the target has


def default_collapsed(trace) -> frozenset:
    """Every group collapsed (the Graph view's starting point)."""
    return frozenset(g.name for g in getattr(trace, "groups", ()))


def visual_graph(trace, collapsed=frozenset()):
    """The items and edges drawn for ``trace`` with the groups named in ``collapsed`` as single boxes."""
    groups = {g.name: g for g in getattr(trace, "groups", ()) if g.name in collapsed}
    member_of = {}
    for g in groups.values():
        for m in g.members:
            member_of[m] = group_key(g.name)
    items = {}
    for node in trace.nodes:
        key = member_of.get(node.id, node.id)
        if key in items:
            continue
        if isinstance(key, str):
            g = groups[key[len("group:") :]]
            items[key] = Item(key, "group", None, g)
        else:
            items[key] = Item(key, node.kind, node.id, None)
    raw = []
    seen = set()
    for i, e in enumerate(trace.edges):
        s, t = member_of.get(e.source, e.source), member_of.get(e.target, e.target)
        if s == t or (s, t) in seen:
            continue
        label_edge, order = i, e.index
        if isinstance(t, str):
            g = items[t].group
            inputs = list(g.inputs)
            for k, (src, edge_index) in enumerate(inputs):
                if src == e.source:
                    label_edge, order = edge_index, k
                    break
            else:
                order = len(inputs)
        seen.add((s, t))
        raw.append((s, t, label_edge, order))
    counts = {}
    for _, t, _, _ in raw:
        counts[t] = counts.get(t, 0) + 1
    ranked = {}
    for t in counts:
        orders = sorted((order, k) for k, (s2, t2, _, order) in enumerate(raw) if t2 == t)
        for rank, (_, k) in enumerate(orders):
            ranked[k] = rank
    edges = tuple(VisualEdge(s, t, label_edge, ranked[k], counts[t]) for k, (s, t, label_edge, _) in enumerate(raw))
    return tuple(items.values()), edges


# ------------------------------------------------------------------------------------- layout


@dataclass(frozen=True)
class Box:
    """A rectangle in scene coordinates (y grows downwards)."""

    x: float
    y: float
    width: float
    height: float

    @property
    def right(self):
        return self.x + self.width

    @property
    def bottom(self):
        return self.y + self.height

    @property
    def center_y(self):
        return self.y + self.height / 2

    def overlaps(self, other) -> bool:
        return self.x < other.right and other.x < self.right and self.y < other.bottom and other.y < self.bottom


@dataclass(frozen=True)
class EdgeRoute:
    """How one edge is drawn: through ``points`` (straight runs inside columns, curves across gaps).

    ``points`` come in pairs: each pair is a horizontal run (from a box side or through a column);
    consecutive pairs are joined across the gap between two columns.
    """

    source: object
    target: object
    edge: int
    points: tuple
    label: Box
    label_lines: tuple


@dataclass(frozen=True)
class GraphLayout:
    """Boxes keyed like :class:`Item` (node id or ``"group:<name>"``), edge routes, the scene size."""

    items: dict
    boxes: dict
    edges: tuple
    width: float
    height: float
    key: object = None
    columns: tuple = field(default=(), repr=False)

    def box_for_node(self, node_id):
        """The box showing ``node_id``: its own, or its collapsed group's."""
        if node_id in self.boxes:
            return self.boxes[node_id]
        for key, item in self.items.items():
            if item.kind == "group" and node_id in item.group.members:
                return self.boxes[key]
        raise KeyError(node_id)

    def key_for_node(self, node_id):
        if node_id in self.boxes:
            return node_id
        for key, item in self.items.items():
            if item.kind == "group" and node_id in item.group.members:
                return key
        raise KeyError(node_id)


def _lines_size(lines, roles, measure):
    width = 0.0
    height = 0.0
    for text, role in zip(lines, roles):
        w, h = measure(text, role)
        width = max(width, float(w))
        height += float(h)
    return width, height


def _layers(items, edges):
    """Op layer = 1 + latest input's; leaf layer = first use's − 1."""
    kind = {it.key: it.kind for it in items}
    preds = {it.key: [] for it in items}
    succs = {it.key: [] for it in items}
    for e in edges:
        preds[e.target].append(e.source)
        succs[e.source].append(e.target)
    layer = {}
    is_leaf = {k: kind[k] in ("parameter", "data") for k in kind}
    for it in items:  # items come inputs-first (trace order), so one pass suffices
        k = it.key
        if is_leaf[k]:
            continue
        layer[k] = 1 + max((layer[p] for p in preds[k] if not is_leaf[p]), default=0)
    for it in items:
        k = it.key
        if is_leaf[k]:
            uses = [layer[s] for s in succs[k]]
            layer[k] = min(uses) - 1 if uses else 0
    lowest = min(layer.values(), default=0)
    return {k: v - lowest for k, v in layer.items()}


def _crossings(columns, links):
    """Edge crossings between adjacent columns; ``links[c]``: (upper index, lower index + port) pairs."""
    total = 0
    for c in range(len(columns) - 1):
        pos = {k: i for i, k in enumerate(columns[c])}
        pos_next = {k: i for i, k in enumerate(columns[c + 1])}
        pairs = sorted((pos[u], pos_next[v] + frac) for u, v, frac in links[c])
        for i in range(len(pairs)):
            for j in range(i + 1, len(pairs)):
                if pairs[i][0] < pairs[j][0] and pairs[i][1] > pairs[j][1]:
                    total += 1
    return total


def _isotonic(desired, weights):
    """Non-decreasing z minimising Σ w (z − d)² (pool adjacent violators)."""
    blocks = []  # [mean, weight, count]
    for d, w in zip(desired, weights):
        blocks.append([d, w, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, w2, n2 = blocks.pop()
            m1, w1, n1 = blocks.pop()
            wt = w1 + w2
            blocks.append([(m1 * w1 + m2 * w2) / wt, wt, n1 + n2])
    out = []
    for m, _, n in blocks:
        out.extend([m] * n)
    return out


def layout_graph(trace, measure, collapsed=frozenset()):
    """Lay ``trace`` out left to right.

    Parameters
    ----------
    trace : engine.graph.Trace
        Usually a :class:`playground.tracing.ModelTrace` (its groups can be collapsed).
    measure : callable
        ``measure(text, role) -> (width, height)`` of one line of text; ``role`` is "title"
        (a box's first line), "body" (its other lines) or "label" (edge labels).
    collapsed : set of str
        Names of the groups drawn as one box.

    Returns
    -------
    GraphLayout
        The same for the same trace structure, whatever the values.
    """
    collapsed = frozenset(collapsed)
    items, vedges = visual_graph(trace, collapsed)
    key = (getattr(trace, "layout_key", None), tuple(sorted(collapsed)))
    if not items:
        return GraphLayout({}, {}, (), 2 * MARGIN, 2 * MARGIN, key)
    item_of = {it.key: it for it in items}
    layer = _layers(items, vedges)

    # Sizes of boxes and edge labels.
    size = {}
    ports = {}
    for e in vedges:
        ports[e.target] = e.ports
    for it in items:
        w, h = _lines_size(_template_node_lines(trace, it), ("title", "body", "body"), measure)
        # Room for every input's arrow on the left side.
        size[it.key] = (w + 2 * PAD_X, max(h + 2 * PAD_Y, (ports.get(it.key, 0) + 1) * PORT_SPACING))
    label_lines_template = {}
    for k, e in enumerate(vedges):
        lines = _template_label_lines(trace, e.edge)
        w, h = _lines_size(lines, ("label",) * len(lines), measure)
        label_lines_template[k] = lines
        size[("label", k)] = (w + 2 * LABEL_PAD_X, h + 2 * LABEL_PAD_Y)

    # Columns: node layer L is column 2L; the gap column before it holds labels and bends.
    n_columns = 2 * max(layer.values()) + 1
    columns = [[] for _ in range(n_columns)]
    for it in items:
        columns[2 * layer[it.key]].append(it.key)
    chains = []  # per edge: the keys it passes through, source first
    for k, e in enumerate(vedges):
        c0, c1 = 2 * layer[e.source], 2 * layer[e.target]
        chain = [e.source]
        for c in range(c0 + 1, c1):
            dummy = ("label", k) if c == c1 - 1 else ("bend", k, c)
            if dummy[0] == "bend":
                size[dummy] = (BEND_WIDTH, BEND_HEIGHT)
            columns[c].append(dummy)
            chain.append(dummy)
        chain.append(e.target)
        chains.append(chain)
    column_of = {k: c for c, col in enumerate(columns) for k in col}

    # Links between adjacent columns, with the target port as a fraction for the last hop.
    preds = {k: [] for col in columns for k in col}
    succs = {k: [] for col in columns for k in col}
    links = [[] for _ in range(max(n_columns - 1, 0))]
    for k, chain in enumerate(chains):
        e = vedges[k]
        for a, b in itertools.pairwise(chain):
            frac = 0.0
            if b == e.target:
                frac = 0.8 * (e.port + 1) / (e.ports + 1) - 0.4
            preds[b].append((a, frac))
            succs[a].append((b, frac))
            links[column_of[a]].append((a, b, frac))

    # Crossing reduction: barycenter sweeps, keeping the best ordering seen.
    best = [list(col) for col in columns]
    best_crossings = _crossings(best, links)
    current = [list(col) for col in columns]
    for sweep in range(ORDER_SWEEPS):
        forward = sweep % 2 == 0
        order = range(1, n_columns) if forward else range(n_columns - 2, -1, -1)
        for c in order:
            ref = current[c - 1] if forward else current[c + 1]
            pos = {k: i for i, k in enumerate(ref)}
            mine = {k: i for i, k in enumerate(current[c])}
            keyed = []
            for k in current[c]:
                neighbours = preds[k] if forward else succs[k]
                if forward:
                    values = [pos[a] for a, _ in neighbours if a in pos]
                else:
                    values = [pos[b] + frac for b, frac in neighbours if b in pos]
                bc = sum(values) / len(values) if values else float(mine[k])
                keyed.append((bc, mine[k], k))
            keyed.sort(key=lambda t: (t[0], t[1]))
            current[c] = [k for _, _, k in keyed]
        crossings = _crossings(current, links)
        if crossings < best_crossings:
            best_crossings = crossings
            best = [list(col) for col in current]
    columns = best

    # x: column widths and positions.
    col_width = []
    for col in columns:
        col_width.append(max((size[k][0] for k in col), default=BEND_WIDTH))
    col_left = []
    x = MARGIN
    for w in col_width:
        col_left.append(x)
        x += w + COLUMN_GAP
    total_width = x - COLUMN_GAP + MARGIN

    def gap(a, b):
        real = not isinstance(a, tuple) and not isinstance(b, tuple)
        return NODE_GAP if real else DUMMY_GAP

    # y: start stacked, then pull each item towards its neighbours, keeping order and spacing.
    center = {}
    for col in columns:
        y = 0.0
        for i, k in enumerate(col):
            if i:
                y += size[col[i - 1]][1] / 2 + gap(col[i - 1], k) + size[k][1] / 2
            center[k] = y
        shift = y / 2
        for k in col:
            center[k] -= shift

    def port_offset(target, frac):
        # A target's inputs meet it at ports spread down its left side (see ``frac`` above).
        return frac / 0.8 * size[target][1] if frac and not isinstance(target, tuple) else 0.0

    for sweep in range(POSITION_SWEEPS):
        forward = sweep % 2 == 0
        order = range(n_columns) if forward else range(n_columns - 1, -1, -1)
        for c in order:
            col = columns[c]
            if not col:
                continue
            desired, weights = [], []
            for k in col:
                values = [center[a] - port_offset(k, frac) for a, frac in preds[k]]
                values += [center[b] + port_offset(b, frac) for b, frac in succs[k]]
                desired.append(sum(values) / len(values) if values else center[k])
                weights.append(1.0 if not isinstance(k, tuple) else 0.6)
            offsets = [0.0]
            for i in range(1, len(col)):
                offsets.append(offsets[-1] + size[col[i - 1]][1] / 2 + gap(col[i - 1], col[i]) + size[col[i]][1] / 2)
            z = _isotonic([d - o for d, o in zip(desired, offsets)], weights)
            for k, zi, o in zip(col, z, offsets):
                center[k] = zi + o

    top = min(center[k] - size[k][1] / 2 for col in columns for k in col)
    for k in center:
        center[k] += MARGIN - top
    total_height = max(center[k] + size[k][1] / 2 for col in columns for k in col) + MARGIN

    boxes = {}
    for c, col in enumerate(columns):
        for k in col:
            w, h = size[k]
            boxes[k] = Box(col_left[c] + (col_width[c] - w) / 2, center[k] - h / 2, w, h)

    routes = []
    for k, chain in enumerate(chains):
        e = vedges[k]
        src, dst = boxes[e.source], boxes[e.target]
        c_src, c_dst = column_of[e.source], column_of[e.target]
        y_src = src.center_y
        y_dst = dst.y + dst.height * (e.port + 1) / (e.ports + 1)
        points = [(src.right, y_src), (col_left[c_src] + col_width[c_src], y_src)]
        for dummy in chain[1:-1]:
            c = column_of[dummy]
            yd = center[dummy]
            points += [(col_left[c], yd), (col_left[c] + col_width[c], yd)]
        points += [(col_left[c_dst], y_dst), (dst.x, y_dst)]
        routes.append(
            EdgeRoute(e.source, e.target, e.edge, tuple(points), boxes[("label", k)], label_lines_template[k])
        )
    node_boxes = {it.key: boxes[it.key] for it in items}
    return GraphLayout(
        item_of, node_boxes, tuple(routes), total_width, total_height, key, tuple(tuple(col) for col in columns)
    )
