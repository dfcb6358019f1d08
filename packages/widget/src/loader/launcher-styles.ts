// The launcher's and panel's styles, adopted by the widget's shadow root as a constructed stylesheet:
// the host page's selectors cannot reach into it, and a strict host CSP (no 'unsafe-inline' styles)
// does not apply to constructed sheets, so the host needs no style-src for us.
export const LAUNCHER_CSS = `
:host{all:initial}
.launcher{position:fixed;right:16px;bottom:16px;z-index:2147483000;font:600 16px/1.2 system-ui,sans-serif;
color:#fff;background:#1d4ed8;border:0;border-radius:999px;padding:12px 20px;cursor:pointer;
box-shadow:0 4px 14px rgba(0,0,0,.25)}
.launcher:hover{background:#1e40af}
.launcher:focus-visible{outline:3px solid #f59e0b;outline-offset:3px}
.launcher[data-attention]::after{content:"";display:inline-block;width:10px;height:10px;margin-left:8px;
border-radius:50%;background:#f59e0b}
.panel{position:fixed;right:16px;bottom:76px;z-index:2147483000;width:min(380px,calc(100vw - 32px));
height:min(600px,calc(100vh - 96px));border-radius:12px;overflow:hidden;background:#fff;
box-shadow:0 8px 30px rgba(0,0,0,.3)}
.panel[hidden]{display:none}
iframe{width:100%;height:100%;border:0;display:block}
`;
