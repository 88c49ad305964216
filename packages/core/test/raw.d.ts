// Vite's `?raw` imports (file contents as a string) for tests; the package has no Node types.
declare module '*?raw' {
  const text: string;
  export default text;
}
