/** The built addon's file, or `file: null` and why it was not built (e.g. oneDNN's headers were not found). */
export declare function locateAddon(): { file: string } | { file: null; why: string };
