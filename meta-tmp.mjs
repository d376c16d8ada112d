import { build } from 'esbuild';
const entry = process.argv[2];
const r = await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', target: 'node20', minify: true, external: ['etcd3'], write: false, metafile: true, outfile: 'x.mjs', mainFields: ['module', 'main'] });
const out = Object.values(r.metafile.outputs)[0];
const by = {};
for (const [p, v] of Object.entries(out.inputs)) { const m = p.match(/node_modules\/((@[^/]+\/)?[^/]+)/); const k = m ? m[1] : p.split('/').slice(0,2).join('/'); by[k] = (by[k]||0) + v.bytesInOutput; }
console.log('total', (out.bytes/1024).toFixed(0));
Object.entries(by).sort((a,b)=>b[1]-a[1]).slice(0,25).forEach(([k,v])=>console.log((v/1024).toFixed(0).padStart(6), k));
