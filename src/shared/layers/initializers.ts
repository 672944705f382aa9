// tfjs-layers defaults kernels to glorotNormal; Keras (the chapter's reference)
// uses glorot_uniform. Every weight layer passes this so models match Keras.
export const KERAS_KERNEL_INIT = 'glorotUniform' as const;
