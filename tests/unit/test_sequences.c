/* test_sequences.c — containers (sequences, optionals) as values: clone, .pb round trip with
 * the kind taken from the declaration, TensorProtos never mistaken for containers, and the
 * element-wise comparison. */
#include "test.h"
#include "compare.h"
#include "value_proto.h"
#include "onnx_io.h"
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static xc_tensor *vec(float a, float b)
{
    int64_t d = 2;
    xc_tensor *t = NULL;
    if (xc_tensor_new(XC_FLOAT, 1, &d, &t) != XC_OK) return NULL;
    ((float *)t->data)[0] = a;
    ((float *)t->data)[1] = b;
    return t;
}

static xc_tensor *seq2(float x)
{
    xc_tensor *s = NULL;
    if (xc_value_new(XC_VALUE_SEQUENCE, XC_FLOAT, &s) != XC_OK) return NULL;
    xc_value_insert(s, -1, vec(x, 2));
    xc_value_insert(s, 0, vec(0, 1)); /* at the front */
    return s;
}

TEST(sequence_clone_is_deep_and_ordered)
{
    xc_tensor *s = seq2(5), *c = NULL;
    CHECK(s && s->n_items == 2 && ((float *)s->items[0]->data)[0] == 0);
    CHECK_OK(xc_tensor_clone(s, &c));
    CHECK(c && c->value == XC_VALUE_SEQUENCE && c->n_items == 2 && c->items[1] != s->items[1]);
    CHECK(c && ((float *)c->items[1]->data)[0] == 5);
    CHECK(xc_tensor_numel(s) == 0); /* a container read as a tensor is an empty one */
    xc_tensor_free(s);
    xc_tensor_free(c);
}

TEST(sequence_and_optional_pb_round_trip)
{
    char path[] = "/tmp/xc-unit-seqXXXXXX";
    int fd = mkstemp(path);
    CHECK(fd >= 0);
    if (fd < 0) return;
    close(fd);
    xc_tensor *s = seq2(7), *back = NULL;
    xc_tensor_set_name(s, "s");
    CHECK_OK(xc_tensor_save_pb(s, path));
    CHECK_OK(xc_tensor_load_pb(path, &back));
    CHECK(back && back->value == XC_VALUE_SEQUENCE && back->n_items == 2 && !strcmp(back->name, "s"));
    /* an optional holding one sequence is written and read back as the graph declares it */
    xc_tensor *o = NULL, *ob = NULL;
    CHECK_OK(xc_value_new(XC_VALUE_OPTIONAL_SEQUENCE, XC_FLOAT, &o));
    CHECK_OK(xc_value_insert(o, -1, s));
    CHECK_OK(xc_tensor_save_pb(o, path));
    CHECK_OK(xc_tensor_load_pb(path, &ob));
    CHECK(ob && !xc_value_conform(ob, XC_VALUE_OPTIONAL_TENSOR, XC_FLOAT)); /* holds a sequence, not a tensor */
    CHECK(ob && xc_value_conform(ob, XC_VALUE_OPTIONAL_SEQUENCE, XC_FLOAT) && ob->n_items == 1 && ob->items[0]->n_items == 2);
    xc_compare_result r;
    xc_tolerance tol = xc_tolerance_default();
    CHECK_OK(xc_compare(ob, o, &tol, &r));
    CHECK(r.passed && !r.shape_mismatch && r.count == 4);
    ((float *)ob->items[0]->items[1]->data)[1] = 3; /* one element differs */
    CHECK_OK(xc_compare(ob, o, &tol, &r));
    CHECK(!r.passed && r.n_failed == 1 && r.worst_ref == 2 && r.worst_out == 3);
    CHECK_OK(xc_compare(back, o, &tol, &r)); /* a sequence is not an optional */
    CHECK(r.shape_mismatch);
    xc_tensor_free(o);
    xc_tensor_free(ob);
    xc_tensor_free(back);
    unlink(path);
}

TEST(tensor_protos_are_not_containers)
{
    /* TensorProto {data_type: FLOAT, float_data: [3.5]} (packed, no name): fields 2 and 4 */
    const unsigned char scalar[] = {0x10, 0x01, 0x22, 0x04, 0x00, 0x00, 0x60, 0x40};
    CHECK(!xc_value_pb_is_container(scalar, sizeof scalar));
    /* TensorProto {dims: [2] packed, data_type: FLOAT}: a packed dim is not a printable name */
    const unsigned char packed_dims[] = {0x0a, 0x01, 0x02, 0x10, 0x01};
    CHECK(!xc_value_pb_is_container(packed_dims, sizeof packed_dims));
    /* SequenceProto {name: "s", elem_type: TENSOR} */
    const unsigned char empty_seq[] = {0x0a, 0x01, 's', 0x10, 0x01};
    CHECK(xc_value_pb_is_container(empty_seq, sizeof empty_seq));
    xc_tensor *t = NULL;
    CHECK_OK(xc_tensor_load_pb_buffer(scalar, sizeof scalar, &t));
    CHECK(t && t->value == XC_VALUE_TENSOR && t->rank == 0 && ((float *)t->data)[0] == 3.5f);
    xc_tensor_free(t);
}
