// 按住说话: hold the button (or Space/Enter on it), speak, let go. The
// recording goes to /api/voice/turn; what was heard appears as the person's
// bubble, the bot's answer as usual, and the answer is played aloud.
// Where the browser cannot record (no microphone, no permission, not https),
// the button stays hidden or says why, and typing still works.

const MIN_MS = 400; // shorter is a slip of the finger, not speech
const TYPES = ["audio/webm;codecs=opus", "audio/ogg;codecs=opus", "audio/webm", "audio/mp4"];

function audioUrl(base64, mediaType) {
  const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return URL.createObjectURL(new Blob([bytes], { type: mediaType }));
}

// `chat` gives: sender, api(path, init), heard(text), answered(messages),
// played(url), notice(text), typing() → stop, and busy()/setBusy(b).
export function setupVoice(button, chat) {
  if (!navigator.mediaDevices?.getUserMedia || !window.MediaRecorder) return;
  button.hidden = false;
  let recorder = null;
  let started = 0;

  async function start() {
    if (recorder || chat.busy()) return;
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch {
      chat.notice("没有拿到麦克风。请在浏览器里允许使用麦克风，或者直接打字。");
      return;
    }
    const type = TYPES.find((t) => MediaRecorder.isTypeSupported(t)) || "";
    recorder = new MediaRecorder(stream, type ? { mimeType: type } : undefined);
    const chunks = [];
    recorder.addEventListener("dataavailable", (event) => chunks.push(event.data));
    recorder.addEventListener("stop", () => {
      stream.getTracks().forEach((track) => track.stop());
      const long = Date.now() - started >= MIN_MS;
      if (long) send(new Blob(chunks, { type: recorder.mimeType || "audio/webm" }));
      recorder = null;
    });
    started = Date.now();
    recorder.start();
    button.classList.add("recording");
    button.textContent = "松开 发送";
  }

  function stop() {
    if (!recorder || recorder.state === "inactive") return;
    recorder.stop();
    button.classList.remove("recording");
    button.textContent = "按住 说话";
  }

  async function send(blob) {
    chat.setBusy(true);
    const stopTyping = chat.typing();
    const form = new FormData();
    form.append("sender", chat.sender);
    form.append("audio", blob, "speech.webm");
    try {
      const turn = await chat.api("/api/voice/turn", { method: "POST", body: form });
      stopTyping();
      if (turn.transcript) chat.heard(turn.transcript);
      chat.answered(turn.messages);
      if (turn.audio) chat.played(audioUrl(turn.audio, turn.media_type));
    } catch (error) {
      stopTyping();
      chat.notice(error.message);
    } finally {
      chat.setBusy(false);
    }
  }

  button.addEventListener("pointerdown", (event) => {
    event.preventDefault();
    button.setPointerCapture?.(event.pointerId);
    start();
  });
  for (const name of ["pointerup", "pointercancel"]) button.addEventListener(name, stop);
  button.addEventListener("keydown", (event) => {
    if ((event.key === " " || event.key === "Enter") && !event.repeat) {
      event.preventDefault();
      start();
    }
  });
  button.addEventListener("keyup", (event) => {
    if (event.key === " " || event.key === "Enter") stop();
  });
}
