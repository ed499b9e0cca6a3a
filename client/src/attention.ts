/**
 * "Your turn" when the player looks elsewhere (another tab, another window): the tab's
 * title and icon change while it is their turn, and a short sound plays when the turn
 * comes to them, if they turned the sound on (off by default; the choice is remembered).
 */
const BASE_TITLE = "Turn games";
const SOUND_KEY = "turn-games:sound";

const icon = (fill: string, dot: boolean) =>
  `data:image/svg+xml,${encodeURIComponent(
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><circle cx="16" cy="16" r="14" fill="${fill}"/>${dot ? '<circle cx="16" cy="16" r="6" fill="#fff"/>' : ""}</svg>`,
  )}`;
const ICON_IDLE = icon("#5f6368", false);
const ICON_TURN = icon("#ff9f1c", true);

export function soundOn(): boolean {
  try {
    return localStorage.getItem(SOUND_KEY) === "on";
  } catch {
    return false;
  }
}

export function setSound(on: boolean): void {
  try {
    localStorage.setItem(SOUND_KEY, on ? "on" : "off");
  } catch {
    // Storage refused (private mode): the choice lasts for this page only.
  }
}

function setIcon(href: string) {
  let link = document.querySelector<HTMLLinkElement>("link[rel=icon]");
  if (!link) {
    link = document.createElement("link");
    link.rel = "icon";
    document.head.append(link);
  }
  if (link.getAttribute("href") !== href) link.setAttribute("href", href);
}

let audio: AudioContext | undefined;

/** A short two-note chime (Web Audio: no file to load). */
function chime() {
  try {
    audio ??= new AudioContext();
    const now = audio.currentTime;
    for (const [i, freq] of [660, 880].entries()) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, now + i * 0.12);
      gain.gain.exponentialRampToValueAtTime(0.2, now + i * 0.12 + 0.02);
      gain.gain.exponentialRampToValueAtTime(0.0001, now + i * 0.12 + 0.11);
      osc.connect(gain).connect(audio.destination);
      osc.start(now + i * 0.12);
      osc.stop(now + i * 0.12 + 0.12);
    }
  } catch {
    // No audio here: the title and icon still say it.
  }
  // Counted on the page, so a test (or a curious player) can see that it played.
  document.body.dataset.turnChimes = String(Number(document.body.dataset.turnChimes ?? 0) + 1);
}

export class TurnSignal {
  private mine = false;

  constructor(private readonly game: string) {}

  /** Called on every render of the game screen. */
  update(myTurn: boolean): void {
    document.title = myTurn ? `Your turn · ${this.game} · ${BASE_TITLE}` : `${this.game} · ${BASE_TITLE}`;
    setIcon(myTurn ? ICON_TURN : ICON_IDLE);
    if (myTurn && !this.mine && soundOn()) chime();
    this.mine = myTurn;
  }

  /** The game screen is gone. */
  dispose(): void {
    document.title = BASE_TITLE;
    setIcon(ICON_IDLE);
  }
}
