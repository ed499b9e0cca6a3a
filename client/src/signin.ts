/**
 * Signing in and registering (`#/account`). A guest who registers keeps their id, name and
 * record (the SDK sends the guest's token along); signing in to another account leaves the
 * guest's record behind, which the page says before it happens. A signed-in player sees who
 * they are and can sign out.
 */
import { checkName } from "../../src/protocol/names.js";
import type { Account } from "./account.js";
import { delegate, h } from "./dom.js";
import type { RequestFailure } from "./errors.js";
import { profileHref } from "./routes.js";

/** The server's limits on a password (src/players/accounts.ts). */
const PASSWORD_MIN = 8;
const PASSWORD_MAX = 256;

export interface AccountHost {
  readonly account: Account;
}

let formIds = 0;

function isFailure(err: unknown): err is RequestFailure {
  return typeof err === "object" && err !== null && typeof (err as RequestFailure).title === "string" && typeof (err as RequestFailure).accountsOff === "boolean";
}

export class AccountScreen {
  readonly el: HTMLElement;
  private busy = false;
  private readonly unsubscribe: () => void;

  constructor(private readonly host: AccountHost) {
    this.el = h("section", { class: "screen account", testid: "account-screen" });
    delegate(this.el, (action) => {
      if (action === "sign-out") void this.signOut();
    });
    this.unsubscribe = host.account.onChange(() => {
      if (!this.busy) this.render();
    });
    this.render();
  }

  dispose() {
    this.unsubscribe();
  }

  private render() {
    const { account } = this.host;
    const user = account.user;
    let content: HTMLElement[];
    if (account.state === "off") {
      content = [h("section", { class: "card" }, h("h2", {}, "Accounts"), h("p", { testid: "accounts-off" }, "This server has players' accounts turned off: everyone plays as a guest, and no games are recorded."))];
    } else if (user && !user.guest) {
      content = [
        h(
          "section",
          { class: "card" },
          h("h2", {}, "Your account"),
          h("p", { testid: "signed-in-as" }, "You are signed in as ", h("bdi", { class: "player-name" }, user.name), user.email ? [" (", h("bdi", {}, user.email), ")"] : null, "."),
          h("div", { class: "row" }, h("a", { class: "button-link", attrs: { href: profileHref(user.id) } }, "Your profile"), h("button", { action: "sign-out", testid: "btn-account-sign-out", attrs: { type: "button" } }, "Sign out")),
        ),
      ];
    } else {
      content = [this.signInForm(), this.registerForm()];
    }
    this.el.replaceChildren(...content);
  }

  private field(label: string, input: HTMLInputElement, help?: string): HTMLElement {
    const id = `acct-${++formIds}`;
    input.id = id;
    const helpId = help ? `${id}-help` : undefined;
    if (helpId) input.setAttribute("aria-describedby", helpId);
    return h("div", { class: "field" }, h("label", { attrs: { for: id } }, label), input, help ? h("p", { class: "muted small", attrs: { id: helpId } }, help) : null);
  }

  private signInForm(): HTMLElement {
    const user = this.host.account.user;
    const email = h("input", { testid: "signin-email", attrs: { type: "email", name: "email", autocomplete: "username", required: true, maxlength: 254, spellcheck: "false" } });
    const password = h("input", { testid: "signin-password", attrs: { type: "password", name: "password", autocomplete: "current-password", required: true, maxlength: PASSWORD_MAX } });
    const error = h("p", { class: "field-error", testid: "signin-error", attrs: { role: "alert", hidden: true } });
    const submit = h("button", { class: "primary", testid: "btn-signin", attrs: { type: "submit" } }, "Sign in");
    const form = h(
      "form",
      { class: "card auth-form", testid: "signin-form" },
      h("h2", {}, "Sign in"),
      user?.guest ? h("p", { class: "muted small" }, "Signing in switches to that account. The games you played as the guest ", h("bdi", { class: "player-name" }, user.name), " stay with that guest: to keep them, create an account below instead.") : null,
      this.field("Email", email),
      this.field("Password", password),
      error,
      submit,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      void this.submit(form, submit, error, async () => this.host.account.signIn(email.value.trim(), password.value));
    });
    return form;
  }

  private registerForm(): HTMLElement {
    const user = this.host.account.user;
    const email = h("input", { testid: "register-email", attrs: { type: "email", name: "email", autocomplete: "email", required: true, maxlength: 254, spellcheck: "false" } });
    const password = h("input", { testid: "register-password", attrs: { type: "password", name: "new-password", autocomplete: "new-password", required: true, minlength: PASSWORD_MIN, maxlength: PASSWORD_MAX } });
    const name = h("input", { testid: "register-name", attrs: { type: "text", name: "name", dir: "auto", autocomplete: "nickname", spellcheck: "false", placeholder: user?.name ?? "" } });
    const error = h("p", { class: "field-error", testid: "register-error", attrs: { role: "alert", hidden: true } });
    const submit = h("button", { class: "primary", testid: "btn-register", attrs: { type: "submit" } }, "Create account");
    const form = h(
      "form",
      { class: "card auth-form", testid: "register-form" },
      h("h2", {}, "Create an account"),
      h(
        "p",
        { class: "muted small" },
        user?.guest ? ["Keeps your name, ", h("bdi", { class: "player-name" }, user.name), ", and the games you played as a guest. "] : null,
        "Then you can sign in with your email and password on any device.",
      ),
      this.field("Email", email),
      this.field("Password", password, `At least ${PASSWORD_MIN} characters.`),
      this.field("Name (optional)", name, user ? "Leave empty to keep your current name." : "Leave empty to be named by the server."),
      error,
      submit,
    );
    form.addEventListener("submit", (e) => {
      e.preventDefault();
      const raw = name.value;
      let chosen: string | undefined;
      if (raw.trim() !== "") {
        const checked = checkName(raw);
        if (!checked.ok) {
          this.showFormError(error, `${checked.reason}.`);
          name.setAttribute("aria-invalid", "true");
          name.focus();
          return;
        }
        chosen = checked.name;
      }
      name.removeAttribute("aria-invalid");
      if (password.value.length < PASSWORD_MIN) {
        this.showFormError(error, `A password has at least ${PASSWORD_MIN} characters.`);
        password.focus();
        return;
      }
      void this.submit(form, submit, error, async () => this.host.account.register(email.value.trim(), password.value, chosen));
    });
    return form;
  }

  private showFormError(error: HTMLElement, title: string, detail = "") {
    error.replaceChildren(title, detail && detail !== title ? h("span", { class: "muted" }, ` (${detail})`) : "");
    error.hidden = false;
  }

  /** Runs a sign-in or registration; success opens the player's profile, a refusal is said under the form. */
  private async submit(form: HTMLFormElement, button: HTMLButtonElement, error: HTMLElement, run: () => Promise<{ id: string }>) {
    if (this.busy) return;
    if (this.host.account.state === "starting") {
      this.showFormError(error, "Still signing you in as a guest: please try again in a moment.");
      return;
    }
    this.busy = true;
    error.hidden = true;
    const label = button.textContent;
    button.disabled = true;
    button.textContent = "Please wait…";
    form.setAttribute("aria-busy", "true");
    try {
      const user = await run();
      location.hash = profileHref(user.id);
    } catch (err) {
      const failure = isFailure(err) ? err : { title: "That did not work.", detail: err instanceof Error ? err.message : "" };
      this.showFormError(error, failure.title, failure.detail);
      form.querySelector<HTMLInputElement>("input[type=password]")?.select();
    } finally {
      this.busy = false;
      button.disabled = false;
      button.textContent = label;
      form.removeAttribute("aria-busy");
    }
  }

  private async signOut() {
    await this.host.account.signOut();
    this.render();
  }
}
