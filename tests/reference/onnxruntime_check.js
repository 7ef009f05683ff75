// Runs an ONNX model with onnxruntime-node (tools/npm) on a raw float32 input and writes the raw float32 output.
//   node onnxruntime_check.js MODEL.onnx INPUT.f32 N,C,H,W OUTPUT.f32
// Prints the output shape as JSON. Used by tests/Workbench.Tests/Export/OnnxExporterTests.cs.
const fs = require('fs');
const path = require('path');
const ort = require(path.join(__dirname, '..', '..', 'tools', 'npm', 'node_modules', 'onnxruntime-node'));

async function main() {
  const [model, input, shapeText, output] = process.argv.slice(2);
  const shape = shapeText.split(',').map(Number);
  const bytes = fs.readFileSync(input);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.length / 4);
  const session = await ort.InferenceSession.create(model, { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1 });
  const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', data, shape) });
  const y = result[session.outputNames[0]];
  fs.writeFileSync(output, Buffer.from(y.data.buffer, y.data.byteOffset, y.data.byteLength));
  console.log(JSON.stringify({ dims: y.dims, inputs: session.inputNames, outputs: session.outputNames }));
}

main().catch(e => { console.error(e && e.stack || e); process.exit(1); });
