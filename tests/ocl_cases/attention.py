"""Scaled dot-product attention as exporters write it (MatMul -> scale -> mask Add -> Softmax
-> MatMul, fused by the attention pass into one flash-attention layer) and the ONNX Attention
op (opset 23); a near miss (Softmax over another axis) runs unfused."""
import numpy as np
from onnx import helper

from common import FP32_TOL, model, rng

B, H, S, D = 1, 2, 16, 8


def sdpa(name, shape=(B, H, S, D), scale="Mul", mask=None, k_transposed=True, softmax_axis=-1, mask_input=False, c=None):
    """Q, K, V of `shape` ([B, H, S, D] or [B*H, S, D]); k_transposed: K arrives as Kt (exported
    graphs that transpose it earlier), else a Transpose of the last two axes is in the pattern;
    scale: "Mul", "MulFirst" (constant first), "Div" or None; mask: None or the mask's shape
    (a padding pattern of 0 and -10000 as a constant, or a graph input when mask_input)."""
    r = rng(len(name))
    rank = len(shape)
    kt_shape = list(shape[:-2]) + [shape[-1], shape[-2]]
    inputs = [("q", list(shape)), ("k", kt_shape if k_transposed else list(shape)), ("v", list(shape))]
    nodes, inits = [], []
    kt = "k"
    if not k_transposed:
        nodes.append(helper.make_node("Transpose", ["k"], ["kt"], perm=list(range(rank - 2)) + [rank - 1, rank - 2]))
        kt = "kt"
    nodes.append(helper.make_node("MatMul", ["q", kt], ["s"]))
    last = "s"
    if scale:
        c = np.array(c if c is not None else np.sqrt(shape[-1]) if scale == "Div" else 1 / np.sqrt(shape[-1]), np.float32)
        inits.append(("c", c))
        ins = ["c", last] if scale == "MulFirst" else [last, "c"]
        nodes.append(helper.make_node("Div" if scale == "Div" else "Mul", ins, ["ss"]))
        last = "ss"
    if mask is not None:
        if mask_input:
            inputs.append(("mask", list(mask)))
        else:
            m = np.where(r.uniform(0, 1, mask) < 0.3, -10000.0, 0.0).astype(np.float32)
            inits.append(("mask", m))
        nodes.append(helper.make_node("Add", ["mask", last], ["sm"]))
        last = "sm"
    nodes.append(helper.make_node("Softmax", [last], ["p"], axis=softmax_axis))
    nodes.append(helper.make_node("MatMul", ["p", "v"], ["y"]))
    return name, model(nodes, inputs, [("y", list(shape))], inits)


def attention_op(name, q, k, v, mask=None, **attrs):
    """The ONNX Attention op (opset 23) on inputs of the given shapes; mask: a shape (a graph
    input) or an array (a constant)."""
    inputs = [("q", q), ("k", k), ("v", v)] + ([("mask", mask)] if isinstance(mask, list) else [])
    inits = [("mask", mask)] if isinstance(mask, np.ndarray) else []
    node = helper.make_node("Attention", [n for n, _ in inputs + inits], ["y"], **attrs)
    out = q[:-1] + [v[-1]] if len(q) == 4 else q[:-1] + [attrs["q_num_heads"] * (v[2] // attrs["kv_num_heads"])]
    return name, model([node], inputs, [("y", out)], inits, opset=23)


def all_cases():
    yield sdpa("attn_plain")
    yield sdpa("attn_mask", mask=(B, 1, 1, S))
    yield sdpa("attn_mask_full_input", mask=(B, H, S, S), mask_input=True, scale="MulFirst")
    yield sdpa("attn_div", scale="Div", mask=(S, S))
    yield sdpa("attn_k_transpose", k_transposed=False, mask=(B, 1, S, S))
    yield sdpa("attn_bh3_odd", shape=(3, 37, 20), k_transposed=False, mask=(3, 1, 37))
    yield sdpa("attn_near_miss_axis", softmax_axis=2)
    # scores spread over several units across three key blocks: the running max grows block
    # to block and the accumulator is rescaled
    yield sdpa("attn_sharp_blocks", shape=(1, 2, 70, 12), c=4.0, mask=(1, 1, 1, 70))
    masked_row = np.zeros((1, 1, 5, 40), np.float32)
    masked_row[0, 0, 2, :] = -np.inf  # a query that sees no key: zeros, as the reference gives
    masked_row[0, 0, 3, :33] = -np.inf  # only the last block's keys
    yield attention_op("attn_op_masked_rows", [1, 2, 5, 8], [1, 2, 40, 8], [1, 2, 40, 4], masked_row)
    yield attention_op("attn_op_4d", [2, 2, 9, 8], [2, 2, 40, 8], [2, 2, 40, 8], [9, 40])
    yield attention_op("attn_op_3d_gqa_causal", [1, 12, 4 * 8], [1, 12, 2 * 8], [1, 12, 2 * 8], q_num_heads=4, kv_num_heads=2,
                       is_causal=1)


def cases():
    for name, m in all_cases():
        yield name, m, FP32_TOL
