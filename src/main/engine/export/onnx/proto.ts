// The subset of ONNX's protobuf schema (onnx.proto, IR version 7) an inference graph of dense
// float tensors needs, written out from the spec's field numbers as a protobufjs reflection
// schema, and the encoder of a model. Fields not listed here are simply never written.
import protobuf from 'protobufjs';

/** IR version 7 is the one that came with opset 13 (ONNX 1.8); every later runtime reads it. */
export const IR_VERSION = 7;
export const OPSET = 13;

/** TensorProto.DataType values used here. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;
/** AttributeProto.AttributeType values used here. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

const field = (type: string, id: number) => ({ type, id });
const repeated = (type: string, id: number) => ({ rule: 'repeated', type, id });

const SCHEMA = {
  nested: {
    onnx: {
      nested: {
        ModelProto: {
          fields: {
            irVersion: field('int64', 1),
            producerName: field('string', 2),
            producerVersion: field('string', 3),
            domain: field('string', 4),
            modelVersion: field('int64', 5),
            docString: field('string', 6),
            graph: field('GraphProto', 7),
            opsetImport: repeated('OperatorSetIdProto', 8),
            metadataProps: repeated('StringStringEntryProto', 14),
          },
        },
        StringStringEntryProto: { fields: { key: field('string', 1), value: field('string', 2) } },
        OperatorSetIdProto: { fields: { domain: field('string', 1), version: field('int64', 2) } },
        GraphProto: {
          fields: {
            node: repeated('NodeProto', 1),
            name: field('string', 2),
            initializer: repeated('TensorProto', 5),
            docString: field('string', 10),
            input: repeated('ValueInfoProto', 11),
            output: repeated('ValueInfoProto', 12),
          },
        },
        NodeProto: {
          fields: {
            input: repeated('string', 1),
            output: repeated('string', 2),
            name: field('string', 3),
            opType: field('string', 4),
            attribute: repeated('AttributeProto', 5),
            domain: field('string', 7),
          },
        },
        AttributeProto: {
          fields: {
            name: field('string', 1),
            f: field('float', 2),
            i: field('int64', 3),
            s: field('bytes', 4),
            floats: repeated('float', 7),
            ints: repeated('int64', 8),
            type: field('int32', 20),
          },
        },
        TensorProto: {
          fields: {
            dims: repeated('int64', 1),
            dataType: field('int32', 2),
            name: field('string', 8),
            rawData: field('bytes', 9),
          },
        },
        ValueInfoProto: { fields: { name: field('string', 1), type: field('TypeProto', 2) } },
        TypeProto: {
          fields: { tensorType: field('TensorTypeProto', 1) },
        },
        // TypeProto.Tensor in onnx.proto; a nested message's name is not part of its encoding.
        TensorTypeProto: {
          fields: { elemType: field('int32', 1), shape: field('TensorShapeProto', 2) },
        },
        TensorShapeProto: { fields: { dim: repeated('Dimension', 1) } },
        // TensorShapeProto.Dimension: dim_value and dim_param are a oneof; set one.
        Dimension: { fields: { dimValue: field('int64', 1), dimParam: field('string', 2) } },
      },
    },
  },
};

export interface Attribute {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}

export interface Node {
  input: string[];
  output: string[];
  name: string;
  opType: string;
  attribute: Attribute[];
}

export interface Tensor {
  name: string;
  dims: number[];
  dataType: number;
  /** Little-endian values (ONNX's raw_data byte order). */
  rawData: Uint8Array;
}

export interface ValueInfo {
  name: string;
  type: {
    tensorType: {
      elemType: number;
      shape: { dim: ({ dimValue: number } | { dimParam: string })[] };
    };
  };
}

export interface Model {
  irVersion: number;
  producerName: string;
  producerVersion: string;
  modelVersion: number;
  docString: string;
  opsetImport: { domain: string; version: number }[];
  metadataProps: { key: string; value: string }[];
  graph: {
    name: string;
    node: Node[];
    initializer: Tensor[];
    input: ValueInfo[];
    output: ValueInfo[];
  };
}

let modelType: protobuf.Type | null = null;

/** The model in ONNX's binary encoding (a .onnx file's bytes). */
export function encodeModel(model: Model): Uint8Array {
  modelType ??= protobuf.Root.fromJSON(SCHEMA).lookupType('onnx.ModelProto');
  const problem = modelType.verify(model);
  if (problem)
    throw new Error(`The ONNX model is malformed (${problem}); this is a bug in the exporter.`);
  return modelType.encode(modelType.fromObject(model)).finish();
}
