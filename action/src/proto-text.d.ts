// The .proto files the bundle imports as text (esbuild: `with { type: 'text' }`).
declare module '*.proto' {
  const text: string;
  export default text;
}
