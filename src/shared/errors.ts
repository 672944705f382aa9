// The one registry of error codes. Every failure a user can meet carries one of these codes, from
// a graph issue on the canvas to an engine that died; the message that goes with it names the
// thing at fault, and `fix` says what to do about it. Codes are stable: docs and users refer to
// them. test/errors.test.ts walks this table.

export interface ErrorInfo {
  /** What happened, in a few words. */
  readonly what: string;
  /** What the user can do about it: a sentence that starts with a verb. */
  readonly fix: string;
}

/** Issues of a graph (shown on the canvas and the Problems list; a run refuses such a graph). */
const GRAPH = {
  E_UNKNOWN_KIND: {
    what: 'The node names a layer kind Netforge does not know',
    fix: 'Delete the node and add the layer again from the palette.',
  },
  E_PARAM: {
    what: 'A parameter is missing or out of range',
    fix: "Correct the value in the inspector; the field's message gives the allowed range.",
  },
  E_MISSING_INPUT: {
    what: 'A layer has fewer inputs than it needs',
    fix: "Connect another layer's output to it.",
  },
  E_TOO_MANY_INPUTS: {
    what: 'A layer has more inputs than it takes',
    fix: 'Remove a connection, or join the inputs with Add or Concatenate first.',
  },
  E_CYCLE: { what: 'The graph has a cycle', fix: 'Remove one of the connections in the loop.' },
  E_ADD_SHAPES: {
    what: 'Add joins tensors of different shapes',
    fix: 'Make the branches end in the same shape (e.g. the same number of filters and strides).',
  },
  E_CONCAT_SHAPES: {
    what: 'Concatenate joins tensors whose other axes differ',
    fix: 'Make the branches agree on every axis but the one concatenated.',
  },
  E_RANK: {
    what: 'A layer gets a tensor of the wrong rank',
    fix: 'Add a Flatten before Dense layers, or remove the one before a convolution.',
  },
  E_SHAPE: {
    what: 'A layer cannot produce a valid output shape from its input',
    fix: "Use a smaller kernel or stride, 'same' padding, or fewer pooling layers before it.",
  },
  E_NO_INPUT: { what: 'The graph has no Input node', fix: 'Add an Input layer from the palette.' },
  E_MULTIPLE_INPUTS: {
    what: 'The graph has more than one Input node',
    fix: 'Delete all Input nodes but one.',
  },
  E_INPUT_SHAPE: {
    what: "The Input's shape does not match the dataset's images",
    fix: "Choose the dataset the network was made for, or set the Input's shape to its images.",
  },
  E_NO_OUTPUT: {
    what: 'The graph has no output layer',
    fix: 'Connect a last layer (e.g. Dense with 10 units) that nothing else follows.',
  },
  E_MULTIPLE_OUTPUTS: {
    what: 'The graph has more than one output layer',
    fix: 'Join the branches, or delete the layers that end nowhere.',
  },
  E_NO_PATH: {
    what: 'A layer is not connected to the input or to the output',
    fix: 'Connect it, or delete it.',
  },
  E_OUTPUT_SHAPE: {
    what: "The output does not match the classifier's classes",
    fix: 'End the network in a Dense layer with one unit per class (10).',
  },
  E_BAD_EDGE: {
    what: 'An edge points at a node that does not exist, or repeats another edge',
    fix: 'Delete the connection and draw it again.',
  },
  E_DUPLICATE_ID: {
    what: 'Two nodes or edges share an id, or two nodes share a name',
    fix: 'Rename one of the layers in the inspector.',
  },
  E_BAD_FILE: {
    what: 'A graph file could not be read',
    fix: 'Check that the file is a Netforge graph or project saved by Netforge.',
  },
} as const satisfies Record<string, ErrorInfo>;

/** Failures of requests to the engine API (api.ts), answered by the server or the IPC adapter. */
const API = {
  E_BAD_REQUEST: {
    what: 'The request does not match the API, or names something the run does not have',
    fix: 'Reload the window; if it persists, the app and its engine come from different versions: reinstall Netforge.',
  },
  E_NOT_FOUND: {
    what: 'No project or run of that name',
    fix: 'Pick one from the list; it may have been deleted or moved.',
  },
  E_BAD_PROJECT: {
    what: 'The text is not a Netforge project',
    fix: 'Save from Netforge, or open the file to see what is wrong with it.',
  },
  E_IO: {
    what: 'A file or folder could not be read or written',
    fix: 'Check that the folder named in the message exists, is writable and has free space.',
  },
  E_FORBIDDEN: {
    what: "The request came from a page that is not Netforge's own",
    fix: 'Use the Netforge window; other pages may not use its engine.',
  },
  E_BUSY: {
    what: 'A training run is already in progress (one at a time)',
    fix: 'Wait for it to finish, or stop it, then try again.',
  },
  E_NO_RUN: {
    what: 'The run named is not in progress',
    fix: 'Reload the runs list; the run may have ended already.',
  },
  E_ENGINE: {
    what: 'The training engine could not be started',
    fix: 'Restart Netforge; if it persists, reinstall it.',
  },
  E_NO_TRAINING: {
    what: 'This server was started without training',
    fix: 'Start it with `netforge serve` (training is on by default).',
  },
  E_FINISHED: {
    what: 'The run already trained all its epochs',
    fix: 'Use "Edit and train again" to train it further with more epochs.',
  },
  E_NO_CHECKPOINT: {
    what: 'The run kept no checkpoint to continue from',
    fix: 'Train it again from the start; checkpoints are kept from the end of the first epoch.',
  },
  E_NO_MODEL: {
    what: 'The run has no trained model yet',
    fix: 'Wait until the run finishes (the model is saved then), or continue a stopped run.',
  },
  E_NO_FEATURE_MAPS: {
    what: 'The network has no layer with an (h, w, c) output',
    fix: 'Feature maps need convolution or pooling layers; an MLP has none to show.',
  },
  E_FEATURE_MAPS: {
    what: 'The feature maps could not be computed',
    fix: 'Try again; if the model file is damaged, train the run again.',
  },
} as const satisfies Record<string, ErrorInfo>;

/** Failures of a training or evaluation run, reported by the engine or its host. */
const ENGINE = {
  E_GRAPH: {
    what: 'The graph cannot be trained',
    fix: 'Fix the problems listed for the graph (the Problems list names each layer at fault).',
  },
  E_CONFIG: {
    what: 'A training setting is out of range',
    fix: 'Correct the setting named in the message; the form shows the allowed range.',
  },
  E_NAN_LOSS: {
    what: 'The loss became NaN or infinite',
    fix: 'Lower the learning rate (e.g. by 10x), or add BatchNormalization; the last good checkpoint is kept.',
  },
  E_DATA_MISSING: {
    what: "The dataset's files are not on disk",
    fix: 'Point the data folder at a folder holding the files, or let Netforge download them.',
  },
  E_DATA_CORRUPT: {
    what: 'A dataset file is damaged or not what its name says',
    fix: 'Delete the file named in the message; Netforge downloads it again, or copy a good one there.',
  },
  E_DATA_DOWNLOAD: {
    what: 'The dataset could not be downloaded',
    fix: 'Check the internet connection, or point the data folder at a copy of the files.',
  },
  E_DATA_CHECKSUM: {
    what: "A downloaded file does not match the dataset's published checksum",
    fix: 'Try again later; if it persists, download the files yourself and name their folder.',
  },
  E_DISK_FULL: {
    what: 'The disk is full (or the disk quota used up) where Netforge writes',
    fix: 'Free space on the disk the message names, then continue the run (or start it again if it kept no checkpoint).',
  },
  E_ENGINE_DIED: {
    what: 'The training engine stopped unexpectedly',
    fix: 'Continue the run from its last checkpoint; if it dies again, lower the batch size (memory).',
  },
  E_NO_TORCH: {
    what: 'The PyTorch engine was asked for but no Python with torch was found',
    fix: 'Install PyTorch for python3 (pip install torch, or apt-get install python3-torch), point NETFORGE_PYTHON (or --python) at a Python that has it, or choose the tfjs engine.',
  },
  E_PROTOCOL: {
    what: 'The engine and the app disagree on a message',
    fix: 'Restart Netforge; if it persists, reinstall it so both come from one version.',
  },
  E_EXPORT_UNSUPPORTED: {
    what: 'The export format cannot express some layers of the network',
    fix: 'Choose another format, or change the layers the message names (the Export dialog marks them on the canvas).',
  },
  E_EXPORT: {
    what: 'The export could not be written',
    fix: 'Check that the destination folder exists and is writable; nothing partial was left there.',
  },
  E_INTERNAL: {
    what: 'Netforge failed in a way it did not expect',
    fix: 'Try again; if it persists, report it with the message and the run folder.',
  },
} as const satisfies Record<string, ErrorInfo>;

/** The renderer's own failures on its way to the engine (client.ts). */
const CLIENT = {
  E_TIMEOUT: {
    what: 'The engine did not answer in time',
    fix: 'Try again; the engine may be busy loading a dataset or a model.',
  },
  E_CONNECT: {
    what: 'The page could not connect to the Netforge server',
    fix: 'Check that `netforge serve` is still running, then reload the page.',
  },
  E_DISCONNECTED: {
    what: 'The connection to the Netforge server was lost',
    fix: 'Check that `netforge serve` is still running, then reload the page.',
  },
  E_CLOSED: {
    what: 'The connection to the engine was closed by the app',
    fix: 'Reload the window.',
  },
  E_BAD_REPLY: {
    what: 'The engine sent an answer the app does not understand',
    fix: 'Restart Netforge; the app and its engine may come from different versions.',
  },
  E_IPC: {
    what: "Netforge's main process failed",
    fix: 'Restart Netforge.',
  },
  E_NO_ENGINE: {
    what: "Netforge's engine is not available in this window",
    fix: 'Open the desktop app, or run `netforge serve` and open the address it prints.',
  },
} as const satisfies Record<string, ErrorInfo>;

export const ERRORS = { ...GRAPH, ...API, ...ENGINE, ...CLIENT } as const;

export type ErrorCode = keyof typeof ERRORS;
/** Codes of graph issues (GraphIssue.code, LayerError.code). */
export type GraphIssueCode = keyof typeof GRAPH;
/** Codes a request to the engine API can fail with (api.ts lists each method's). */
export type ApiErrorCode = keyof typeof API | keyof typeof ENGINE;
export type ClientErrorCode = keyof typeof CLIENT;

/** A short description of every code, for docs and tests (what it means). */
export const ERROR_CODES: { readonly [C in ErrorCode]: string } = Object.fromEntries(
  Object.entries(ERRORS).map(([code, info]) => [code, info.what]),
) as { [C in ErrorCode]: string };

export function isErrorCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(ERRORS, code);
}

/**
 * The one error class every layer throws for a failure the user can meet: the code says which,
 * the message says what happened to what (naming the file, layer or setting). `fix` is the
 * registry's advice, for messages that do not already say what to do.
 */
export class CodedError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'CodedError';
  }

  get fix(): string {
    return ERRORS[this.code].fix;
  }
}

/**
 * Any thrown value as a CodedError: a CodedError as it is; an object with a registered `code`
 * (an error that crossed a process boundary) keeps it; anything else becomes `fallback` with its
 * message.
 */
export function toCodedError(e: unknown, fallback: ErrorCode = 'E_INTERNAL'): CodedError {
  if (e instanceof CodedError) return e;
  const code = (e as { code?: unknown } | null)?.code;
  const text = (e as { message?: unknown } | null)?.message;
  const message = typeof text === 'string' ? text : String(e);
  return new CodedError(isErrorCode(code) ? code : fallback, message);
}

/** The message with the registry's advice appended, unless it already ends with advice of its own. */
export function withFix(code: ErrorCode, message: string): string {
  const fix = ERRORS[code].fix;
  return message.includes(fix) ? message : `${message.replace(/\s*$/, '')} ${fix}`;
}
