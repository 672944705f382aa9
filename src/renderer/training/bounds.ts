// The Training form's limits come from the TrainConfig schema: the code is shared with the CLI.
export * from '../../shared/number-bounds.ts';
