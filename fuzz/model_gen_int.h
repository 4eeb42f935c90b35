/* model_gen_int.h — what fuzz/model_gen.c (the core generator: elementwise, matmul, conv,
 * movement ops) and fuzz/model_gen_ops.c (the later op families: control flow with bodies,
 * recurrent, vision, signal, losses, quantized, random, index ops) share. Private to fuzz/. */
#ifndef XC_FUZZ_MODEL_GEN_INT_H
#define XC_FUZZ_MODEL_GEN_INT_H
#include "model_gen.h"
#include <stdint.h>

#define MAX_VALS 32
#define RANK_CAP 6
#define MAX_SINKS 2 /* extra graph outputs of the later families (fuzz_exec runs models of <= 4 outputs) */

/* ONNX field numbers (onnx.proto) */
enum { MODEL_IR = 1, MODEL_GRAPH = 7, MODEL_OPSET = 8, OPSET_DOMAIN = 1, OPSET_VERSION = 2 };
enum { GRAPH_NODE = 1, GRAPH_NAME = 2, GRAPH_INIT = 5, GRAPH_INPUT = 11, GRAPH_OUTPUT = 12 };
enum { NODE_INPUT = 1, NODE_OUTPUT = 2, NODE_NAME = 3, NODE_OP = 4, NODE_ATTR = 5 };
enum { ATTR_NAME = 1, ATTR_F = 2, ATTR_I = 3, ATTR_S = 4, ATTR_G = 6, ATTR_FLOATS = 7, ATTR_INTS = 8, ATTR_TYPE = 20 };
enum { TENSOR_DIMS = 1, TENSOR_DTYPE = 2, TENSOR_NAME = 8, TENSOR_RAW = 9 };
enum { VI_NAME = 1, VI_TYPE = 2, TYPE_TENSOR = 1, TT_ELEM = 1, TT_SHAPE = 2, SHAPE_DIM = 1, DIM_VALUE = 1 };
enum { DT_FLOAT = 1, DT_UINT8 = 2, DT_INT8 = 3, DT_INT32 = 6, DT_INT64 = 7, DT_STRING = 8, DT_BOOL = 9, DT_DOUBLE = 11 };
enum { AT_FLOAT = 1, AT_INT = 2, AT_STRING = 3, AT_GRAPH = 5, AT_FLOATS = 6, AT_INTS = 7 };

typedef struct val {
    char name[16];
    int rank;
    int64_t dims[RANK_CAP];
} val;

typedef struct sink {
    char name[16];
    int dtype;
} sink;

typedef struct gen {
    const uint8_t *d;
    size_t n, i;
    pb_buf graph; /* the graph being written (a body while one is built) */
    val vals[MAX_VALS];
    int n_vals, n_inputs, n_nodes, n_inits;
    int opset;
    sink sinks[MAX_SINKS];
    int n_sinks, n_sink_names;
} gen;

typedef struct node {
    pb_buf b;
    gen *g;
} node;

unsigned pick(gen *g, unsigned k);
int sabotage(gen *g);
int64_t numel(const val *v);
void value_info_typed(pb_buf *out, int field, const char *name, int dtype, const val *shape);
void initializer(gen *g, char *name, int dtype, int rank, const int64_t *dims, const void *raw, size_t nbytes);
void init_float(gen *g, char *name, int rank, const int64_t *dims, int positive);
void init_ints(gen *g, char *name, int n, const int64_t *v);
node node_begin(gen *g, const char *op);
void node_in(node *n, const char *name);
void attr_int(node *n, const char *name, int64_t v);
void attr_float(node *n, const char *name, float v);
void attr_ints(node *n, const char *name, int count, const int64_t *v);
int node_end(node *n, int rank, const int64_t *dims);
int op_unary(gen *g, val a);

/* model_gen_ops.c: one node (or a few) of the later families on value a; their outputs
 * become graph outputs ("sinks") rather than values later nodes read. */
void add_later_family_node(gen *g, val a);
#endif
