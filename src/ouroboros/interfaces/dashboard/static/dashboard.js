// Ouroboros dashboard: draws the equity/drawdown charts (uPlot, vendored) and wires the
// stop/resume/reset buttons to the token-guarded API. No external requests.
"use strict";

function drawCharts() {
  const holder = document.getElementById("equity-data");
  if (!holder || typeof uPlot === "undefined") return;
  const data = JSON.parse(holder.textContent);
  document.querySelectorAll(".chart").forEach((el) => {
    const s = data[el.dataset.account];
    if (!s) return;
    const kind = el.dataset.series;
    const values = s[kind].map(Number).map((v) => (kind === "drawdown" ? -100 * v : v));
    const label = kind === "drawdown" ? "drawdown %" : "equity " + s.currency;
    const opts = {
      width: Math.min(900, window.innerWidth - 60),
      height: kind === "drawdown" ? 140 : 220,
      series: [{}, { label: label, stroke: kind === "drawdown" ? "#cf222e" : "#14213d",
                     fill: kind === "drawdown" ? "rgba(207,34,46,0.15)" : undefined }],
      axes: [{}, { label: label }],
    };
    new uPlot(opts, [s.t, values], el);
  });
}

async function act(action) {
  const out = document.getElementById("action-result");
  const account = document.getElementById("account").value;
  const token = document.getElementById("token").value;
  const reason = document.getElementById("reason").value;
  const path = action === "reset" ? "/api/system/circuit-breaker/reset"
    : "/api/system/trading/" + action;
  const body = action === "reset" ? { account } : { account, reason };
  const headers = { "Content-Type": "application/json", "X-Operator": "dashboard" };
  if (token) headers["Authorization"] = "Bearer " + token;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  const answer = await response.json();
  if (response.ok) {
    out.className = "ok";
    out.textContent = answer.action + " for " + answer.account + " by " + answer.by;
    setTimeout(() => window.location.reload(), 300);
  } else {
    out.className = "error";
    out.textContent = response.status + ": " + answer.detail;
  }
}

document.addEventListener("DOMContentLoaded", () => {
  drawCharts();
  document.querySelectorAll("#switch-form button").forEach((b) => {
    b.addEventListener("click", () => act(b.dataset.action));
  });
});
