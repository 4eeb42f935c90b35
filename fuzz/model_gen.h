/* model_gen.h — turns fuzzer bytes into a small ONNX model for the execution fuzzer: one or two
 * float inputs of random small shape, then a few nodes among elementwise, matmul/gemm, conv,
 * pooling, reductions, softmax, normalization and movement ops, each with random attributes
 * that are valid for the shapes the generator tracks — except that now and then one is made
 * invalid on purpose (an axis out of range, a bad permutation, an out-of-range gather index),
 * which the loader or the run must refuse with a clean error. The same bytes always give the
 * same model. */
#ifndef XC_FUZZ_MODEL_GEN_H
#define XC_FUZZ_MODEL_GEN_H
#include "pb_write.h"

/* Serialized ModelProto into out (caller pb_free). */
void fuzz_gen_model(const uint8_t *data, size_t size, pb_buf *out);
#endif
