/* inspect_engine.h — `inspect engine`: an engine described the way TensorRT's engine inspector
 * describes one (IEngineInspector, JSON format), with crosscheck's extra fields. */
#ifndef XC_OCL_INSPECT_ENGINE_H
#define XC_OCL_INSPECT_ENGINE_H
#include "ocl/profile.h"

/* {"Layers":[{"Name","LayerType","TacticName","Metadata":"[ONNX Layer: n] ...",
 *             "Inputs"/"Outputs":[{"Name","Location","Dimensions":[..],"Format/Datatype",
 *                                  "Datatype","Storage":"slot N"|"constant"|"view of X","Bytes"}],
 *             "Nodes":[..],"Ops":[..],"Precision","Fusion","Defines","TacticTimeMs" (build timing),
 *             "Parameters":{attribute: value} of the node defining the layer,
 *             "Activation"/"Alpha"/"Beta"/"HasResidual" (fused epilogue),"Workspace",
 *             "Kernels":[{"Kernel","Global":[..],"Local":[..]|null}],
 *             "Profile":{"AverageMs","MedianMs","Percent"} (when profiled)}],
 *  "Bindings":[input names, then output names],
 *  plus the engine's plan description (xc_engine_describe) with CamelCase keys: "Version",
 *  "Device", "Model", "ModelHash", "Options", "TimedLayers", "Memory" (+ "SlotBytes"), and
 *  "DeviceName", "Platform", "Driver", "DeviceVersion", "Profile":{"Iterations","TotalMs"}.
 * profile may be NULL (from xc_bench_run with profile set otherwise). Caller frees. */
struct cJSON *xc_inspect_engine(const xc_engine *e, const xc_bench_result *profile);
#endif
