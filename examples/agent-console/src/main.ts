import { Announcer } from "./announcer.js";
import { signInView } from "./sign-in.js";
import { openWorkspace } from "./workspace.js";

const root = document.getElementById("app");
if (!root) throw new Error("the page has no #app element");
const announcer = new Announcer();
document.body.append(announcer.element);

function showSignIn(): void {
  root!.replaceChildren(
    signInView(announcer, async (credentials) => {
      root!.replaceChildren(await openWorkspace(credentials, announcer, showSignIn));
      root!.querySelector<HTMLElement>("input")?.focus();
    }),
  );
}

showSignIn();
