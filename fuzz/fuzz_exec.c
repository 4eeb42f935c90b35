/* fuzz_exec.c — a short execution fuzz: bytes drive a generator of small ONNX models
 * (fuzz/model_gen.c), which are loaded like any file and run on the reference with seeded
 * inputs. Valid models must run; invalid ones (the generator breaks one attribute now and then)
 * must be refused with a clean status, at load or at run time. FUZZ_EXEC_DUMP=FILE writes the
 * generated model, to look at a crash input with other tools. */
#include "fuzz_common.h"
#include "backend.h"
#include "inputs.h"
#include "model_gen.h"
#include "onnx_io.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_setup();
    pb_buf bytes;
    fuzz_gen_model(data, size, &bytes);
    const char *dump = getenv("FUZZ_EXEC_DUMP");
    if (dump) fuzz_check_status(xc_write_file(dump, bytes.d, bytes.n));
    xc_model *m = NULL;
    xc_status s = xc_model_load_buffer(bytes.d, bytes.n, NULL, &m);
    pb_free(&bytes);
    fuzz_check_status(s);
    if (s != XC_OK) return 0;
    xc_backend *ref = NULL;
    xc_tensor_list in = {0};
    xc_input_spec spec = xc_input_spec_default();
    spec.lo = -2;
    spec.hi = 2;
    s = xc_generate_inputs(m->graph, &spec, &in);
    if (s == XC_OK) s = xc_ref_backend_create(m, &ref);
    int n_out = m->graph->n_outputs;
    xc_tensor *out[4] = {0};
    if (s == XC_OK && n_out <= 4) s = xc_backend_run(ref, (const xc_tensor *const *)in.t, out, NULL);
    fuzz_check_status(s);
    for (int i = 0; i < 4; i++) xc_tensor_free(out[i]);
    xc_backend_destroy(ref);
    xc_tensor_list_free(&in);
    xc_model_free(m);
    return 0;
}
