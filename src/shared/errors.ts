// Stable error codes shown with every message, so users and docs can refer to them.
export const ERROR_CODES = {
  E_UNKNOWN_KIND: 'The node names a layer kind Netforge does not know',
  E_PARAM: 'A parameter is missing or out of range',
  E_MISSING_INPUT: 'A layer has fewer inputs than it needs',
  E_TOO_MANY_INPUTS: 'A layer has more inputs than it takes',
  E_CYCLE: 'The graph has a cycle',
  E_ADD_SHAPES: 'Add joins tensors of different shapes',
  E_CONCAT_SHAPES: 'Concatenate joins tensors whose other axes differ',
  E_RANK: 'A layer gets a tensor of the wrong rank',
  E_SHAPE: 'A layer cannot produce a valid output shape from its input',
  E_NO_INPUT: 'The graph has no Input node',
  E_MULTIPLE_INPUTS: 'The graph has more than one Input node',
  E_INPUT_SHAPE: "The Input's shape does not match the dataset's images",
  E_NO_OUTPUT: 'The graph has no output layer',
  E_MULTIPLE_OUTPUTS: 'The graph has more than one output layer',
  E_NO_PATH: 'A layer is not connected to the input or to the output',
  E_OUTPUT_SHAPE: "The output does not match the classifier's classes",
  E_BAD_EDGE: 'An edge points at a node that does not exist, or repeats another edge',
  E_DUPLICATE_ID: 'Two nodes or edges share an id, or two nodes share a name',
  E_BAD_FILE: 'A graph file could not be read',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;
