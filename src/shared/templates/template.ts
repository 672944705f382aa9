import type { DatasetName, GraphDoc } from '../graph/types.ts';

export interface Template {
  /** Short name used on the command line: `netforge summary lenet5`. */
  id: string;
  title: string;
  /** Where the network comes from in the chapter, e.g. "10.4 LeNet-5". */
  section: string;
  dataset: DatasetName;
  description: string;
  build: () => GraphDoc;
}
