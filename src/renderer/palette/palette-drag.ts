/** The drag-and-drop type that carries a layer kind from the palette to the canvas. */
export const PALETTE_MIME = 'application/x-netforge-kind';
