/* sequence.c — schemas of the ops on sequences and optionals: SequenceEmpty/Construct/Insert/
 * At/Erase/Length, SplitToSequence, ConcatFromSequence, SequenceMap, Optional,
 * OptionalHasElement, OptionalGetElement. A sequence's type is its tensors' dtype and, where
 * every tensor is known to share one, their shape (else rank -1); element counts and element
 * shapes are otherwise run-time facts. */
#include "schema.h"
#include <string.h>

/* Input i must be present and of kind `want` (XC_VALUE_OPTIONAL_TENSOR stands for either optional). */
static xc_status require_kind(const xc_infer_ctx *c, int i, xc_value_kind want)
{
    const xc_type_shape *t = &c->in[i];
    int ok = want == XC_VALUE_OPTIONAL_TENSOR ? t->kind == XC_VALUE_OPTIONAL_TENSOR || t->kind == XC_VALUE_OPTIONAL_SEQUENCE
                                              : t->kind == want;
    if (!ok)
        return xc_infer_fail(c, "input '%s' is a %s, expected a %s", c->node->inputs[i], xc_value_kind_name(t->kind),
                             want == XC_VALUE_OPTIONAL_TENSOR ? "optional" : xc_value_kind_name(want));
    return XC_OK;
}

static void set_seq(xc_infer_ctx *c, int o, xc_dtype t, int rank, const int64_t *dims)
{
    xc_infer_set(c, o, t, rank, dims);
    c->out[o].kind = XC_VALUE_SEQUENCE;
}

static xc_status infer_empty(xc_infer_ctx *c)
{
    int64_t dt = xc_attr_int(c->node, "dtype", XC_FLOAT);
    if (dt <= 0 || dt >= XC_DTYPE_COUNT) return xc_infer_fail(c, "dtype %lld is not a tensor type", (long long)dt);
    set_seq(c, 0, (xc_dtype)dt, -1, NULL);
    return XC_OK;
}

static xc_status infer_construct(xc_infer_ctx *c)
{
    int same = 1;
    for (int i = 0; i < c->n_in; i++) {
        XC_TRY(require_kind(c, i, XC_VALUE_TENSOR));
        if (c->in[i].dtype != XC_UNDEFINED && c->in[0].dtype != XC_UNDEFINED && c->in[i].dtype != c->in[0].dtype)
            return xc_infer_fail(c, "input %d is %s but input 0 is %s: a sequence holds one dtype", i,
                                 xc_dtype_name(c->in[i].dtype), xc_dtype_name(c->in[0].dtype));
        same &= xc_infer_shape_known(&c->in[i]) && xc_shape_equal(c->in[i].rank, c->in[i].dims, c->in[0].rank, c->in[0].dims);
    }
    set_seq(c, 0, c->in[0].dtype, same ? c->in[0].rank : -1, c->in[0].dims);
    return XC_OK;
}

static xc_status require_position(const xc_infer_ctx *c, int i)
{
    if (i >= c->n_in || !c->in[i].present) return XC_OK;
    XC_TRY(xc_infer_require_type((xc_infer_ctx *)c, i, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    for (int k = 0; k < c->in[i].rank; k++) /* a scalar by the spec; [1] as the ONNX tests give it */
        if (c->in[i].dims[k] > 1) return xc_infer_fail(c, "position '%s' must hold one value", c->node->inputs[i]);
    return XC_OK;
}

static xc_status infer_insert(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    XC_TRY(require_kind(c, 1, XC_VALUE_TENSOR));
    XC_TRY(require_position(c, 2));
    const xc_type_shape *s = &c->in[0], *t = &c->in[1];
    if (s->dtype != XC_UNDEFINED && t->dtype != XC_UNDEFINED && s->dtype != t->dtype)
        return xc_infer_fail(c, "inserts a %s tensor into a sequence of %s", xc_dtype_name(t->dtype), xc_dtype_name(s->dtype));
    set_seq(c, 0, s->dtype != XC_UNDEFINED ? s->dtype : t->dtype, -1, NULL);
    return XC_OK;
}

static xc_status infer_at(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    XC_TRY(require_position(c, 1));
    xc_infer_set(c, 0, c->in[0].dtype, -1, NULL); /* which element is a run-time fact */
    return XC_OK;
}

static xc_status infer_erase(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    XC_TRY(require_position(c, 1));
    set_seq(c, 0, c->in[0].dtype, -1, NULL);
    return XC_OK;
}

static xc_status infer_length(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    xc_infer_set(c, 0, XC_INT64, 0, NULL);
    return XC_OK;
}

static xc_status infer_split(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_TENSOR));
    if (c->n_in > 1 && c->in[1].present) {
        XC_TRY(require_kind(c, 1, XC_VALUE_TENSOR));
        XC_TRY(xc_infer_require_type(c, 1, XC_BIT(XC_INT32) | XC_BIT(XC_INT64)));
    }
    if (c->in[0].rank >= 0) {
        int axis;
        XC_TRY(xc_normalize_axis(c, xc_attr_int(c->node, "axis", 0), c->in[0].rank, &axis));
    }
    set_seq(c, 0, c->in[0].dtype, -1, NULL);
    return XC_OK;
}

static xc_status infer_concat(xc_infer_ctx *c)
{
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    if (!xc_node_attr(c->node, "axis")) return xc_infer_fail(c, "attribute 'axis' is required");
    xc_infer_set(c, 0, c->in[0].dtype, -1, NULL);
    return XC_OK;
}

static const xc_graph *body_of(const xc_infer_ctx *c)
{
    const xc_attr *b = xc_node_attr(c->node, "body");
    return b && b->type == XC_ATTR_GRAPH ? b->g : NULL;
}

/* SequenceMap: the body runs once per element of input 0 (a sequence); sequence inputs give
 * it their element, tensor inputs are given whole; each body output is gathered into a
 * sequence. */
static xc_status infer_map(xc_infer_ctx *c)
{
    const xc_graph *body = body_of(c);
    if (!body) return xc_infer_fail(c, "attribute 'body' (a graph) is required");
    XC_TRY(require_kind(c, 0, XC_VALUE_SEQUENCE));
    if (body->n_inputs != c->n_in)
        return xc_infer_fail(c, "body has %d inputs, expected %d (one per input of the node)", body->n_inputs, c->n_in);
    if (body->n_outputs != c->n_out)
        return xc_infer_fail(c, "body has %d outputs, expected %d (one per output of the node)", body->n_outputs, c->n_out);
    xc_type_shape bin[XC_MAX_RANK * 4], bout[XC_MAX_RANK * 4];
    if (c->n_in > (int)(sizeof bin / sizeof bin[0]) || c->n_out > (int)(sizeof bout / sizeof bout[0]))
        return xc_infer_fail(c, "has more inputs or outputs than crosscheck supports (%d)", (int)(sizeof bin / sizeof bin[0]));
    for (int i = 0; i < c->n_in; i++) {
        if (c->in[i].kind != XC_VALUE_TENSOR && c->in[i].kind != XC_VALUE_SEQUENCE)
            return xc_infer_fail(c, "input '%s' is a %s, expected a sequence or a tensor", c->node->inputs[i],
                                 xc_value_kind_name(c->in[i].kind));
        bin[i] = c->in[i];
        bin[i].kind = XC_VALUE_TENSOR;
        bin[i].value = NULL;
    }
    for (int o = 0; o < c->n_out; o++) {
        memset(&bout[o], 0, sizeof bout[o]);
        bout[o].present = 1;
    }
    XC_TRY(xc_infer_subgraph(c, body, bin, c->n_in, bout, c->n_out));
    for (int o = 0; o < c->n_out; o++) {
        if (bout[o].kind != XC_VALUE_TENSOR)
            return xc_infer_fail(c, "body output %d is a %s; SequenceMap gathers tensors", o, xc_value_kind_name(bout[o].kind));
        set_seq(c, o, bout[o].dtype, -1, NULL);
    }
    return XC_OK;
}

static xc_status infer_optional(xc_infer_ctx *c)
{
    if (c->n_in < 1 || !c->in[0].present) { /* an empty optional of the 'type' given */
        const xc_attr *t = xc_node_attr(c->node, "type");
        if (!t || !t->type_proto) return xc_infer_fail(c, "an empty Optional needs its 'type' attribute");
        if (t->type_proto->dtype == XC_UNDEFINED
            || (t->type_proto->value != XC_VALUE_TENSOR && t->type_proto->value != XC_VALUE_SEQUENCE))
            return xc_infer_unsupported(c, "'type' is not a tensor or sequence type crosscheck supports");
        xc_infer_set(c, 0, t->type_proto->dtype, t->type_proto->rank, t->type_proto->dims);
        c->out[0].kind = t->type_proto->value == XC_VALUE_SEQUENCE ? XC_VALUE_OPTIONAL_SEQUENCE : XC_VALUE_OPTIONAL_TENSOR;
        return XC_OK;
    }
    if (c->in[0].kind != XC_VALUE_TENSOR && c->in[0].kind != XC_VALUE_SEQUENCE)
        return xc_infer_fail(c, "input '%s' is a %s, expected a tensor or a sequence", c->node->inputs[0],
                             xc_value_kind_name(c->in[0].kind));
    xc_infer_copy(c, 0, 0);
    c->out[0].kind = c->in[0].kind == XC_VALUE_SEQUENCE ? XC_VALUE_OPTIONAL_SEQUENCE : XC_VALUE_OPTIONAL_TENSOR;
    return XC_OK;
}

/* OptionalHasElement-15 takes an optional; from 18 also a tensor or a sequence (always
 * holding one) or nothing (empty). A plain value is taken at every opset, as ONNX Runtime
 * does: a Loop carrying an optional hands its body the sequence the previous iteration made. */
static xc_status infer_has(xc_infer_ctx *c)
{
    if (c->opset < 18 && (c->n_in < 1 || !c->in[0].present)) return xc_infer_fail(c, "needs an input before opset 18");
    xc_infer_set(c, 0, XC_BOOL, 0, NULL);
    return XC_OK;
}

static xc_status infer_get(xc_infer_ctx *c)
{
    xc_value_kind k = c->in[0].kind;
    xc_infer_copy(c, 0, 0);
    c->out[0].kind = k == XC_VALUE_OPTIONAL_SEQUENCE || k == XC_VALUE_SEQUENCE ? XC_VALUE_SEQUENCE : XC_VALUE_TENSOR;
    return XC_OK;
}

static const xc_attr_spec empty_attrs[] = {{"dtype", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec split_attrs[] = {{"axis", XC_ATTR_INT, 0}, {"keepdims", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec concat_attrs[] = {{"axis", XC_ATTR_INT, 1}, {"new_axis", XC_ATTR_INT, 0}, {NULL, 0, 0}};
static const xc_attr_spec map_attrs[] = {{"body", XC_ATTR_GRAPH, 1}, {NULL, 0, 0}};
static const xc_attr_spec optional_attrs[] = {{"type", XC_ATTR_TYPE_PROTO, 0}, {NULL, 0, 0}};

#define MANY (1 << 20)
const xc_op_schema xc_schemas_sequence[] = {
    {"SequenceEmpty", 11, 0, 0, 1, 1, empty_attrs, infer_empty},
    {"SequenceConstruct", 11, 1, -1, 1, 1, NULL, infer_construct},
    {"SequenceInsert", 11, 2, 3, 1, 1, NULL, infer_insert},
    {"SequenceAt", 11, 2, 2, 1, 1, NULL, infer_at},
    {"SequenceErase", 11, 1, 2, 1, 1, NULL, infer_erase},
    {"SequenceLength", 11, 1, 1, 1, 1, NULL, infer_length},
    {"SplitToSequence", 11, 1, 2, 1, 1, split_attrs, infer_split},
    {"ConcatFromSequence", 11, 1, 1, 1, 1, concat_attrs, infer_concat},
    {"SequenceMap", 17, 1, -1, 1, MANY, map_attrs, infer_map},
    {"Optional", 15, 0, 1, 1, 1, optional_attrs, infer_optional},
    {"OptionalHasElement", 15, 0, 1, 1, 1, NULL, infer_has},
    {"OptionalGetElement", 15, 1, 1, 1, 1, NULL, infer_get},
    {0},
};

int xc_op_takes_containers(const char *op_type)
{
    static const char *const others[] = {"Identity", "If", "Loop", NULL};
    for (const xc_op_schema *s = xc_schemas_sequence; s->op_type; s++)
        if (!strcmp(s->op_type, op_type)) return 1;
    for (int i = 0; others[i]; i++)
        if (!strcmp(others[i], op_type)) return 1;
    return 0;
}
