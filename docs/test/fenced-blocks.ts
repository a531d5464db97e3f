// Markdown's fenced code blocks, for the tests that run what the READMEs show.

/** The fenced blocks of a markdown text: their info string and code. */
export function fencedBlocks(markdown: string): { info: string; code: string }[] {
  return [...markdown.matchAll(/^```([^\n]*)\n([\s\S]*?)^```$/gm)].map(([, info, code]) => ({ info: info.trim(), code }));
}
