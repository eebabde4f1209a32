// A node:test reporter that writes the path of every test file with a failing test, one per
// line, so scripts/test.sh can run exactly those files again and name them.
export default async function* failedFiles(source) {
  const seen = new Set();
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const file = event.data.file;
    if (file && !seen.has(file)) {
      seen.add(file);
      yield `${file}\n`;
    }
  }
}
