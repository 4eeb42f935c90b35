/* families.h — the operator families: each has a schema table here in src/ops/<family>.c and a
 * kernel table in reference/ops/<family>.c. Adding a family is one line in each list. */
#ifndef XC_FAMILIES_H
#define XC_FAMILIES_H
/* clang-format off */ /* a table: one entry per line or row, as written */
#define XC_OP_FAMILIES(X) \
    X(unary) X(binary) X(conv) X(pool) X(norm) X(softmax) X(matmul) X(attention) \
    X(reduce) X(index) X(shape) X(movement) X(gather) X(resize) X(quant) X(constant) \
    X(recurrent) \
    X(loss) \
    X(signal) \
    X(window) \
    X(qlinear) \
    X(misc) \
    X(unique) \
    X(random) \
    X(vision) \
    X(control) \
    X(sequence) \
    X(stateful) \
    X(training) \
    X(text) \
    /* one family per line, each ending in a backslash; this comment ends the list */
/* clang-format on */
#endif
