/* registry.c — finds an operator's schema by name and opset across the family tables, and
 * knows every standard ONNX operator name (so "unknown op" and "unsupported op" differ). */
#include "schema.h"
#include "families.h"
#include <stdlib.h>
#include <string.h>

#define DECLARE(f) extern const xc_op_schema xc_schemas_##f[];
XC_OP_FAMILIES(DECLARE)
#define LIST(f) xc_schemas_##f,
static const xc_op_schema *const families[] = {XC_OP_FAMILIES(LIST) NULL};

/* Every ai.onnx operator name in the ONNX specification up to opset 28 (implemented or not). */
static const char *const onnx_ops[] = {
    "Abs",
    "Acos",
    "Acosh",
    "Add",
    "AffineGrid",
    "And",
    "ArgMax",
    "ArgMin",
    "Asin",
    "Asinh",
    "Atan",
    "Atanh",
    "Attention",
    "AveragePool",
    "BatchNormalization",
    "Bernoulli",
    "BitCast",
    "BitShift",
    "BitwiseAnd",
    "BitwiseNot",
    "BitwiseOr",
    "BitwiseXor",
    "BlackmanWindow",
    "Cast",
    "CastLike",
    "CausalConvWithState",
    "Ceil",
    "Celu",
    "CenterCropPad",
    "Clip",
    "Col2Im",
    "Compress",
    "Concat",
    "ConcatFromSequence",
    "Constant",
    "ConstantOfShape",
    "Conv",
    "ConvInteger",
    "ConvTranspose",
    "Cos",
    "Cosh",
    "CumProd",
    "CumSum",
    "DFT",
    "DeformConv",
    "DepthToSpace",
    "DequantizeLinear",
    "Det",
    "Div",
    "Dropout",
    "DynamicQuantizeLinear",
    "Einsum",
    "Elu",
    "Equal",
    "Erf",
    "Exp",
    "Expand",
    "EyeLike",
    "Flatten",
    "Floor",
    "GRU",
    "Gather",
    "GatherElements",
    "GatherND",
    "Gelu",
    "Gemm",
    "GlobalAveragePool",
    "GlobalLpPool",
    "GlobalMaxPool",
    "Greater",
    "GreaterOrEqual",
    "GridSample",
    "GroupNormalization",
    "HammingWindow",
    "HannWindow",
    "HardSigmoid",
    "HardSwish",
    "Hardmax",
    "Identity",
    "If",
    "ImageDecoder",
    "InstanceNormalization",
    "IsInf",
    "IsNaN",
    "LRN",
    "LSTM",
    "LayerNormalization",
    "LeakyRelu",
    "Less",
    "LessOrEqual",
    "LinearAttention",
    "Log",
    "LogSoftmax",
    "Loop",
    "LpNormalization",
    "LpPool",
    "MatMul",
    "MatMulInteger",
    "Max",
    "MaxPool",
    "MaxRoiPool",
    "MaxUnpool",
    "Mean",
    "MeanVarianceNormalization",
    "MelWeightMatrix",
    "Min",
    "Mish",
    "Mod",
    "Mul",
    "Multinomial",
    "Neg",
    "NegativeLogLikelihoodLoss",
    "NonMaxSuppression",
    "NonZero",
    "Not",
    "OneHot",
    "Optional",
    "OptionalGetElement",
    "OptionalHasElement",
    "Or",
    "PRelu",
    "Pad",
    "Pow",
    "QLinearConv",
    "QLinearMatMul",
    "QuantizeLinear",
    "RMSNormalization",
    "RNN",
    "RandomNormal",
    "RandomNormalLike",
    "RandomUniform",
    "RandomUniformLike",
    "Range",
    "Reciprocal",
    "ReduceL1",
    "ReduceL2",
    "ReduceLogSum",
    "ReduceLogSumExp",
    "ReduceMax",
    "ReduceMean",
    "ReduceMin",
    "ReduceProd",
    "ReduceSum",
    "ReduceSumSquare",
    "RegexFullMatch",
    "Relu",
    "Reshape",
    "Resize",
    "ReverseSequence",
    "RoiAlign",
    "RotaryEmbedding",
    "Round",
    "STFT",
    "Scan",
    "Scatter",
    "ScatterElements",
    "ScatterND",
    "Selu",
    "SequenceAt",
    "SequenceConstruct",
    "SequenceEmpty",
    "SequenceErase",
    "SequenceInsert",
    "SequenceLength",
    "SequenceMap",
    "Shape",
    "Shrink",
    "Sigmoid",
    "Sign",
    "Sin",
    "Sinh",
    "Size",
    "Slice",
    "Softmax",
    "SoftmaxCrossEntropyLoss",
    "Softplus",
    "Softsign",
    "SpaceToDepth",
    "Split",
    "SplitToSequence",
    "Sqrt",
    "Squeeze",
    "StringConcat",
    "StringNormalizer",
    "StringSplit",
    "Sub",
    "Sum",
    "SwiGLU",
    "Swish",
    "Tan",
    "Tanh",
    "TensorScatter",
    "TfIdfVectorizer",
    "ThresholdedRelu",
    "Tile",
    "TopK",
    "Transpose",
    "Trilu",
    "Unique",
    "Unsqueeze",
    "Upsample",
    "Where",
    "Xor",
};

/* The ops of domains other than ai.onnx that the built-in tables serve, as (domain, op) pairs:
 * an op name alone never lets another domain's node in. Other domains need a plugin. */
static const struct {
    const char *domain, *op_type;
} domain_ops[] = {
    {"ai.onnx.preview.training", "Adagrad"},
    {"ai.onnx.preview.training", "Adam"},
    {"ai.onnx.preview.training", "Momentum"},
};

int xc_builtin_domain_op(const char *domain, const char *op_type)
{
    for (size_t i = 0; i < sizeof domain_ops / sizeof domain_ops[0]; i++)
        if (!strcmp(domain_ops[i].domain, domain) && !strcmp(domain_ops[i].op_type, op_type)) return 1;
    return 0;
}

static int cmp_name(const void *a, const void *b) { return strcmp(*(const char *const *)a, *(const char *const *)b); }

int xc_onnx_op_known(const char *op_type)
{
    return bsearch(&op_type, onnx_ops, sizeof onnx_ops / sizeof onnx_ops[0], sizeof onnx_ops[0], cmp_name) != NULL;
}

const xc_op_schema *xc_schema_find(const char *op_type, int opset, int *older_only)
{
    const xc_op_schema *best = NULL;
    int any = 0;
    for (int f = 0; families[f]; f++)
        for (const xc_op_schema *s = families[f]; s->op_type; s++) {
            if (strcmp(s->op_type, op_type)) continue;
            any = 1;
            if (s->since <= opset && (!best || s->since > best->since)) best = s;
        }
    if (older_only) *older_only = any && !best;
    return best;
}

void xc_schema_foreach(void (*fn)(const xc_op_schema *s, void *user), void *user)
{
    for (int f = 0; families[f]; f++)
        for (const xc_op_schema *s = families[f]; s->op_type; s++) fn(s, user);
}
