/** The widget's stylesheet, inside its own frame: nothing from the host page reaches it. */
export const STYLES = `
*{box-sizing:border-box}
html,body,#kw-root{height:100%}
.kw{height:100%;display:flex;flex-direction:column;font:14px/1.45 system-ui,-apple-system,"Segoe UI","Noto Sans","Noto Sans Bengali","Noto Sans Tamil","Noto Sans Devanagari",sans-serif;color:#111827;background:#fff}
header{display:flex;justify-content:space-between;align-items:flex-start;gap:8px;padding:14px 16px;background:var(--kw-color);color:#fff}
h1{font-size:16px;margin:0}
.sub{margin:2px 0 0;font-size:12.5px;opacity:.92}
.icon{all:unset;cursor:pointer;font-size:22px;line-height:1;padding:0 4px}
.icon:focus-visible,button:focus-visible,textarea:focus-visible,input:focus-visible{outline:2px solid #111;outline-offset:2px}
.messages{flex:1;overflow-y:auto;padding:12px 14px;display:flex;flex-direction:column;gap:6px;background:#f9fafb}
.row{display:flex;gap:8px;align-items:flex-end}
.row.visitor{justify-content:flex-end}
.row>div{max-width:80%}
.bubble{margin:0;padding:8px 11px;border-radius:14px;white-space:pre-wrap;overflow-wrap:anywhere}
.bubble.agent{background:#fff;border:1px solid #e5e7eb;align-self:flex-start;max-width:80%}
.bubble.visitor{background:var(--kw-color);color:#fff}
.avatar{width:26px;height:26px;border-radius:50%;background:#e5e7eb;color:#374151;display:flex;align-items:center;justify-content:center;font-weight:600;font-size:12px;flex:none}
.name{margin:0 0 2px;font-size:11.5px;color:#6b7280}
.meta{margin:0;font-size:11.5px;color:#6b7280}
.right{text-align:right;align-self:flex-end}
.status,.error,.notice{margin:0;padding:6px 14px;font-size:12.5px}
.error{color:#b91c1c;background:#fef2f2}
.notice{color:#374151}
.composer{display:flex;gap:8px;padding:10px;border-top:1px solid #e5e7eb}
textarea,input,select{flex:1;font:inherit;border:1px solid #d1d5db;border-radius:8px;padding:7px 9px;resize:none;min-width:0}
button{font:inherit;cursor:pointer}
.send,.email button,.callback button[type=submit]{border:0;border-radius:8px;padding:0 14px;background:var(--kw-color);color:#fff;min-height:36px}
.send:disabled{opacity:.5;cursor:default}
.file{display:block;margin-top:4px}
.suggestions{padding:6px 14px;border-top:1px solid #e5e7eb;background:#fff}
.suggestions ul{margin:4px 0 0;padding-left:18px}
.suggestions a{color:var(--kw-color)}
.footer{margin:0;padding:0 12px 10px;text-align:center}
.link{all:unset;cursor:pointer;color:var(--kw-color);text-decoration:underline;font-size:12.5px}
.email,.callback{display:flex;flex-direction:column;gap:8px;padding:10px;background:#fff;border:1px solid #e5e7eb;border-radius:10px}
.callback{margin:12px;overflow-y:auto}
label{display:flex;flex-direction:column;gap:4px;font-size:12.5px}
.pair{display:flex;gap:8px}
.survey{display:flex;flex-direction:column;gap:8px;padding:10px;background:#fff;border:1px solid #e5e7eb;border-radius:10px}
.survey p{margin:0}
.choices{display:flex;gap:6px;flex-wrap:wrap;border:0;margin:0;padding:0;min-width:0}
.choices legend{padding:0;margin-bottom:8px;width:100%}
.choices button{flex:1;border:1px solid #d1d5db;border-radius:8px;background:#fff;padding:6px 4px;min-height:36px}
.choices button[aria-pressed=true]{border-color:var(--kw-color);background:var(--kw-color);color:#fff}
.survey form{display:flex;flex-direction:column;gap:6px}
.founder{display:flex;align-items:center;gap:6px;margin:6px 0 0;font-size:12.5px;font-weight:600}
.founder .avatar{width:24px;height:24px;object-fit:cover;border:1px solid rgba(255,255,255,.6)}
.attach{flex:none;display:flex;align-items:center;justify-content:center;width:36px;cursor:pointer;color:#4b5563}
.attach input{position:absolute;width:1px;height:1px;opacity:0;overflow:hidden}
.attach:focus-within{outline:2px solid #111;outline-offset:2px;border-radius:8px}
`;
