"""What the Graph dock's inspector says about a node: Qt-free HTML built from a trace.

The value and gradient of a node in full, its local-derivative formulas, the chain-rule products
that gave its gradient, and the backward stepper's account of each step. The Graph panel only
displays these reports; building them needs nothing but the :class:`~playground.tracing.ModelTrace`.
"""

from __future__ import annotations

import html

import numpy as np

from playground import graph_layout as gl

__all__ = [
    "chain_rule_html",
    "chain_rule_rows",
    "group_report_html",
    "help_html",
    "node_name",
    "node_report_html",
    "stepper_gradients",
    "stepper_html",
]

#: Values with more elements than this are summarised in the inspector.
INSPECTOR_FULL_LIMIT = 4096


def _fmt_full(value):
    if value is None:
        return "—"
    a = np.asarray(value)
    if a.size == 1:
        return repr(float(a.reshape(-1)[0]))
    limit = INSPECTOR_FULL_LIMIT
    text = np.array2string(a, precision=6, threshold=limit, max_line_width=72, separator=", ")
    note = f"\n(shape {gl.shape_text(a.shape)}" + (f"; {a.size} values, summarised)" if a.size > limit else ")")
    return text + note


def _esc(text):
    return html.escape(str(text))


def node_name(trace, node_id):
    node = trace.nodes[node_id]
    return node.label if node.kind != "op" else f"{node.symbol} ({node.op})"


def chain_rule_rows(trace, node_id, gradients=None):
    """The chain-rule products behind ∂L/∂node: one row per use, ``(target, upstream, local, contribution)``.

    ``gradients`` maps node ids to the gradients known so far (the stepper's); by default the engine's.
    """
    rows = []
    for edge in trace.edges:
        if edge.source != node_id:
            continue
        if gradients is None:
            upstream = trace.nodes[edge.target].grad
        else:
            upstream = gradients.get(edge.target)
        contribution = edge.contribution
        rows.append((edge, upstream, edge.local_grad, contribution))
    return rows


def node_report_html(trace, node_id, gradients=None, heading=None):
    """The inspector's text for one node (HTML)."""
    node = trace.nodes[node_id]
    out = []
    title = heading or node_name(trace, node_id)
    out.append(f"<h3 style='margin:2px 0'>{_esc(title)}</h3>")
    if node.kind == "op":
        inputs = ", ".join(
            f"{'abcdefgh'[k] if k < 8 else k} = {_esc(node_name(trace, src))}" for k, src in enumerate(node.inputs)
        )
        out.append(
            f"<p><b>Operation</b> {_esc(node.symbol)}  (grad_fn <code>{_esc(node.op)}</code>)<br>"
            f"<b>Inputs</b> {inputs}</p>"
        )
        if node.formula:
            out.append("<p><b>Local derivatives</b><br>" + "<br>".join(_esc(f) for f in node.formula) + "</p>")
    elif node.kind == "parameter":
        param = trace.parameter_of(node_id) if hasattr(trace, "parameter_of") else None
        where = ""
        if param is not None:
            name, index = param
            where = f" — the model's <code>{_esc(name)}</code>" + (f"{list(index)}" if index is not None else "")
        out.append(
            f"<p><b>Parameter</b> (requires_grad=True){where}. Its gradient is what the optimizer "
            "uses to update it.</p>"
        )
    else:
        out.append("<p><b>Data</b> (requires_grad=False): a fixed input; autograd computes no gradient for it.</p>")
    if node_id == trace.root:
        out.append("<p><b>This is the loss L</b>, where the backward pass starts (∂L/∂L = 1).</p>")
    out.append(f"<p><b>Value</b><pre>{_esc(_fmt_full(node.value))}</pre></p>")
    grad = node.grad if gradients is None else gradients.get(node_id)
    out.append(
        f"<p><b>Gradient ∂L/∂{_esc(node.label if node.kind != 'op' else 'node')}</b>"
        f"<pre>{_esc(_fmt_full(grad))}</pre></p>"
    )
    if node.kind != "data" and node_id != trace.root:
        rows = chain_rule_rows(trace, node_id, gradients)
        out.append(chain_rule_html(trace, node_id, rows, grad))
    return "".join(out)


def chain_rule_html(trace, node_id, rows, total):
    if not rows:
        return ""
    lines = [
        "<p><b>Chain rule</b>: ∂L/∂node = Σ over its uses of upstream ∂L/∂use × local ∂use/∂node "
        "(the product is each use's contribution)</p>",
        "<table cellspacing='0' cellpadding='3' border='1' style='border-collapse:collapse'>",
        "<tr><th style='white-space:nowrap'>use</th><th style='white-space:nowrap'>upstream ∂L/∂use</th>"
        "<th style='white-space:nowrap'>local</th><th style='white-space:nowrap'>product</th></tr>",
    ]
    for edge, upstream, local, contribution in rows:
        lines.append(
            f"<tr><td>{_esc(node_name(trace, edge.target))} (input {edge.index + 1})</td>"
            f"<td>{_esc(gl.format_array(upstream) if not isinstance(upstream, str) else '?')}</td>"
            f"<td>{_esc(gl.format_array(local))}</td>"
            f"<td>{_esc(gl.format_array(contribution))}</td></tr>"
        )
    lines.append("</table>")
    if len(rows) > 1:
        terms = " + ".join(gl.format_array(c) for _, _, _, c in rows)
        lines.append(f"<p>Accumulated over {len(rows)} uses: {_esc(terms)} = <b>{_esc(gl.format_array(total))}</b></p>")
    op_names = {trace.nodes[edge.target].op for edge, *_ in rows}
    if op_names & {"MmBackward0", "MvBackward0", "AddmmBackward0"}:
        lines.append(
            "<p><i>For a matrix product the local gradient multiplies the upstream gradient as a "
            "matrix (see the formula of the product): gA = g·Bᵀ, gB = Aᵀ·g.</i></p>"
        )
    elif any(
        np.shape(c) != np.shape(u) for _, u, _, c in rows if c is not None and u is not None and not isinstance(u, str)
    ):
        lines.append("<p><i>Broadcast inputs: the products are summed back to this node's shape.</i></p>")
    return "".join(lines)


def group_report_html(trace, group):
    out = [
        f"<h3 style='margin:2px 0'>{_esc(group.title)}</h3>",
        "<p>A Linear layer drawn as one box (double-click it to expand). Inside:</p><ul>",
    ]
    for m in group.members:
        node = trace.nodes[m]
        out.append(f"<li>{_esc(node.symbol)} <code>{_esc(node.op)}</code>: {_esc(gl.format_array(node.value))}</li>")
    out.append("</ul>")
    out.append(node_report_html(trace, group.output, heading=f"Output: {node_name(trace, group.output)}"))
    return "".join(out)


def help_html():
    """What the inspector shows before a box is clicked."""
    return (
        "<p><b>The computational graph of the loss.</b></p>"
        "<p>Blue boxes are data, orange boxes parameters, white boxes operations (operator and "
        "PyTorch grad_fn name); the loss has a red border. Each box shows its value and its "
        "gradient ∂L/∂node; each edge is labelled with its local gradient ∂target/∂input.</p>"
        "<p>Click a box to inspect it. With training paused, the <b>Backward stepper</b> walks "
        "the backward pass one node at a time.</p>"
    )


def stepper_gradients(trace, position):
    """The gradients a backward pass has computed after ``position`` steps: node id -> array (None for data)."""
    known = {}
    for node_id in trace.backward_order()[:position]:
        node = trace.nodes[node_id]
        if node_id == trace.root:
            known[node_id] = np.ones_like(node.value)
        elif node.kind == "data":
            known[node_id] = None
        else:
            total = None
            for _edge, _upstream, _local, contribution in chain_rule_rows(trace, node_id, known):
                if contribution is None:
                    continue
                total = np.array(contribution, copy=True) if total is None else total + contribution
            known[node_id] = total
    return known


def stepper_html(trace, position):
    """The inspector's account of the backward stepper after ``position`` steps."""
    order = trace.backward_order()
    if position == 0:
        return (
            "<h3 style='margin:2px 0'>Backward pass</h3><p>Press ▶ to start at the loss. Each step "
            "computes one node's gradient ∂L/∂node from the gradients of the nodes it feeds: "
            "upstream × local = contribution, summed over its uses.</p>"
            f"<p>{len(order)} nodes, visited from the loss back to the leaves.</p>"
        )
    known = stepper_gradients(trace, position)
    node_id = order[position - 1]
    node = trace.nodes[node_id]
    out = [f"<h3 style='margin:2px 0'>Step {position} of {len(order)}: ∂L/∂{_esc(node_name(trace, node_id))}</h3>"]
    if node_id == trace.root:
        out.append("<p>The loss: ∂L/∂L = <b>1</b>. The backward pass starts here.</p>")
    elif node.kind == "data":
        out.append(f"<p>{_esc(node.label)} is data (requires_grad=False): autograd does not compute its gradient.</p>")
    else:
        rows = chain_rule_rows(trace, node_id, known)
        out.append(chain_rule_html(trace, node_id, rows, known.get(node_id)))
        out.append(
            f"<p>∂L/∂{_esc(node.label if node.kind != 'op' else 'node')} = "
            f"<b>{_esc(gl.format_array(known.get(node_id)))}</b></p>"
        )
        if node.kind == "parameter":
            out.append("<p>This is the parameter's <code>.grad</code>, what the optimizer uses.</p>")
    if position == len(order):
        out.append("<p><b>Done</b>: every gradient is known; they equal the engine's.</p>")
    return "".join(out)
