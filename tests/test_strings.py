"""Text ops of issue 13 on the reference: TfIdfVectorizer over integer tokens (TF, IDF and TFIDF,
with and without weights, unigrams to trigrams, skips, [C] and [N, C] inputs, int32 and int64),
each a one-node model made here with onnx.helper, run with `crosscheck run MODEL --ref` and
compared with onnx's ReferenceEvaluator (onnxruntime where it fails). A string pool (crosscheck holds no string tensors) and
bad attributes must fail in one line naming the node."""
import os

import numpy as np
from onnx import TensorProto as TP
from onnx.reference import ReferenceEvaluator

from test_misc_ops import _model, _run_xc


def _tfidf_case(s, xc, d, label, x, attrs):
    m = _model("TfIdfVectorizer", [("X", x)], ["Y"], attrs, 9, out_types=[TP.FLOAT])
    if "weights" in attrs:
        want = ReferenceEvaluator(m).run(None, {"X": x})[0]
    else:  # onnx's evaluator fails on IDF/TFIDF without weights (len(None)); onnxruntime judges those
        import onnxruntime as ort
        want = ort.InferenceSession(m.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {"X": x})[0]
    r, got = _run_xc(xc, d, m, [("X", x)])
    y = got.get("Y")
    ok = r.returncode == 0 and y is not None and y.shape == want.shape and np.array_equal(y, want)
    s.check("strings: TfIdfVectorizer " + label, ok,
            r.stderr.strip()[-300:] if r.returncode else "got %r want %r" % (y, want))


def strings(s, xc, build, tmp):
    base = os.path.join(tmp, "strings")
    pool = dict(pool_int64s=[2, 3, 5, 4, 5, 6, 7, 8, 6, 7, 9, 2, 3, 5],  # 3 unigrams, 4 bigrams, 1 trigram
                ngram_counts=[0, 3, 11], ngram_indexes=[0, 1, 2, 3, 4, 5, 6, 7])
    x1 = np.array([1, 1, 3, 3, 3, 7, 8, 6, 7, 5, 6, 8, 2, 3, 5], dtype=np.int32)
    x2 = np.array([[1, 1, 3, 3, 3, 7], [8, 6, 7, 5, 6, 8], [2, 3, 5, 7, 8, 4]], dtype=np.int64)
    w = [0.5, 1.5, 2.0, 0.25, 3.0, 1.0, 4.0, 0.75]
    cases = [
        ("TF 1..3-grams skip 0 int32 [C]", x1, dict(mode="TF", min_gram_length=1, max_gram_length=3, max_skip_count=0)),
        ("TF 1..2-grams skip 3 int64 [N,C]", x2, dict(mode="TF", min_gram_length=1, max_gram_length=2, max_skip_count=3)),
        ("TF bigrams only skip 5", x2, dict(mode="TF", min_gram_length=2, max_gram_length=2, max_skip_count=5)),
        ("IDF weighted", x1, dict(mode="IDF", min_gram_length=1, max_gram_length=3, max_skip_count=1, weights=w)),
        ("IDF unweighted", x2, dict(mode="IDF", min_gram_length=1, max_gram_length=2, max_skip_count=2)),
        ("TFIDF weighted", x2, dict(mode="TFIDF", min_gram_length=2, max_gram_length=3, max_skip_count=2, weights=w)),
        ("TFIDF trigrams only", x1, dict(mode="TFIDF", min_gram_length=3, max_gram_length=3, max_skip_count=0)),
    ]
    for k, (label, x, a) in enumerate(cases):
        _tfidf_case(s, xc, os.path.join(base, "t%d" % k), label, x, dict(a, **pool))

    def refused(label, attrs, want):
        m = _model("TfIdfVectorizer", [("X", x1)], ["Y"], attrs, 9, out_types=[TP.FLOAT])
        r, _ = _run_xc(xc, os.path.join(base, label.replace(" ", "_")), m, [("X", x1)])
        err = r.stderr.strip()
        s.check("strings: TfIdfVectorizer refuses " + label + " in one line",
                r.returncode != 0 and len(err.splitlines()) == 1 and "TfIdfVectorizer" in err and want in err, err[-300:])

    refused("a string pool", dict(mode="TF", min_gram_length=1, max_gram_length=1, max_skip_count=0,
                                  pool_strings=["a", "b"], ngram_counts=[0], ngram_indexes=[0, 1]), "pool_int64s")
    refused("an unknown mode", dict(mode="BM25", min_gram_length=1, max_gram_length=1, max_skip_count=0,
                                    pool_int64s=[1, 2], ngram_counts=[0], ngram_indexes=[0, 1]), "BM25")
    refused("ngram_counts past the pool", dict(mode="TF", min_gram_length=1, max_gram_length=2, max_skip_count=0,
                                               pool_int64s=[1, 2], ngram_counts=[0, 5], ngram_indexes=[0, 1]), "ngram_counts")
