// The archembed explorer: the scatter of every architecture, a metric dropdown, trajectories
// on top and a drawing of the clicked architecture's cells. Data: the JSON element above.
"use strict";
(function () {
  const data = JSON.parse(document.getElementById("explorer-data").textContent);
  const plot = document.getElementById("plot");
  const select = document.getElementById("metric");
  const palette = ["#d62728", "#111111", "#1f77b4", "#e377c2", "#8c564b", "#17becf", "#ff7f0e"];
  const SVG = "http://www.w3.org/2000/svg";

  function format(value) {
    return value === null || value === undefined ? "n/a" : String(value);
  }

  function hoverText(i) {
    const lines = [data.native[i]];
    for (const metric of data.metrics) lines.push(metric.name + ": " + format(metric.values[i]));
    return lines.join("<br>");
  }

  function decodeCell(code) {
    const [opsPart, adjPart] = code.split(":");
    const ops = opsPart.split(".").map((k) => data.ops[parseInt(k, 36)]);
    const n = ops.length;
    const size = (n * (n - 1)) / 2;
    const bits = BigInt("0x" + adjPart).toString(2).padStart(size, "0");
    const edges = [];
    let k = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++, k++) if (bits[k] === "1") edges.push([i, j]);
    }
    return { ops, edges };
  }

  function layout(cell) {
    const depth = cell.ops.map(() => 0);
    for (const [i, j] of cell.edges) depth[j] = Math.max(depth[j], depth[i] + 1);
    depth[cell.ops.length - 1] = Math.max(...depth);
    const rows = {};
    return depth.map((d) => {
      rows[d] = (rows[d] || 0) + 1;
      return [d, rows[d] - 1];
    }).map(([d, r]) => [d, r, rows[d]]);
  }

  function element(name, attributes, parent) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, value);
    parent.appendChild(node);
    return node;
  }

  function drawCell(cell) {
    // Top to bottom: one row per depth (longest path from the input), nodes spread in a row.
    const places = layout(cell);
    const rows = Math.max(...places.map((p) => p[0])) + 1;
    const widest = Math.max(...places.map((p) => p[2]));
    const width = 340, gapX = 6, boxH = 22, gapY = 44;
    const boxW = Math.min(110, (width - 4) / widest - gapX);
    const height = rows * gapY;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("class", "cell");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const defs = element("defs", {}, svg);
    const marker = element("marker", { id: "arrow", viewBox: "0 0 10 10", refX: 10, refY: 5,
      markerWidth: 6, markerHeight: 6, orient: "auto-start-reverse" }, defs);
    element("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#555" }, marker);
    const centre = places.map(([d, r, count]) => [
      width / 2 + (r - (count - 1) / 2) * (boxW + gapX),
      gapY / 2 + d * gapY,
    ]);
    for (const [i, j] of cell.edges) {
      const [x1, y1] = centre[i], [x2, y2] = centre[j];
      const dx = x2 - x1, dy = y2 - y1, length = Math.hypot(dx, dy) || 1;
      const cut = Math.min(boxW / 2 / Math.max(Math.abs(dx) / length, 1e-6),
        boxH / 2 / Math.max(Math.abs(dy) / length, 1e-6));
      element("line", { x1: x1 + (dx / length) * cut, y1: y1 + (dy / length) * cut,
        x2: x2 - (dx / length) * cut, y2: y2 - (dy / length) * cut,
        "marker-end": "url(#arrow)" }, svg);
    }
    cell.ops.forEach((op, i) => {
      const io = i === 0 || i === cell.ops.length - 1;
      const group = element("g", { class: io ? "node io" : "node" }, svg);
      const [x, y] = centre[i];
      element("rect", { x: x - boxW / 2, y: y - boxH / 2, width: boxW, height: boxH, rx: 4 },
        group);
      const label = element("text", { x, y }, group);
      label.textContent = op;
      element("title", {}, group).textContent = op;
    });
    return svg;
  }

  function show(i) {
    const box = document.getElementById("cell");
    box.replaceChildren();
    const codes = data.cells[i].split(";");
    codes.forEach((code, k) => {
      if (codes.length > 1) {
        const title = document.createElement("div");
        title.className = "cell-title";
        title.textContent = "cell " + (k + 1);
        box.appendChild(title);
      }
      box.appendChild(drawCell(decodeCell(code)));
    });
    document.getElementById("native").textContent = data.native[i];
    const table = document.getElementById("values");
    table.replaceChildren();
    for (const metric of data.metrics) {
      const row = table.insertRow();
      row.insertCell().textContent = metric.name;
      row.insertCell().textContent = format(metric.values[i]);
    }
    document.getElementById("hint").textContent = "architecture " + i;
    Plotly.restyle(plot, { x: [[data.x[i]]], y: [[data.y[i]]] }, [1]);
  }

  function colour(metric) {
    if (!metric) return { color: "#1f77b4", size: 4 };
    return { color: metric.values, cmin: metric.range[0], cmax: metric.range[1], size: 4,
      colorscale: "Viridis", showscale: true, colorbar: { title: { text: metric.name } } };
  }

  function trajectoryTrace(t, k, runs) {
    const colourOf = palette[runs.indexOf(t.run) % palette.length];
    return {
      type: "scattergl", mode: "lines+markers", name: t.run + " (" + runs.seeds[t.run] + " seeds)",
      legendgroup: t.run, x: t.points.map((i) => data.x[i]), y: t.points.map((i) => data.y[i]),
      customdata: t.points, line: { color: colourOf, width: 1.5 },
      marker: { color: colourOf, size: 7, line: { color: "white", width: 1 } },
      text: t.points.map((i, q) => t.run + " seed " + t.seed + ", query " + (q + 1) +
        " (score " + format(t.scores[q]) + ")<br>" + data.native[i]),
      hovertemplate: "%{text}<extra></extra>", showlegend: k === runs.firstSeed[t.run],
    };
  }

  const traces = [
    { type: "scattergl", mode: "markers", name: "architectures", x: data.x, y: data.y,
      text: data.x.map((_, i) => hoverText(i)), hovertemplate: "%{text}<extra></extra>",
      marker: colour(data.metrics[0]), showlegend: false },
    { type: "scattergl", mode: "markers", name: "selected", x: [], y: [], hoverinfo: "skip",
      marker: { size: 16, color: "rgba(0,0,0,0)", line: { color: "black", width: 2 } },
      showlegend: false },
  ];
  const runs = [...new Set(data.trajectories.map((t) => t.run))];
  runs.firstSeed = {};
  runs.seeds = {};
  data.trajectories.forEach((t, k) => {
    if (!(t.run in runs.firstSeed)) runs.firstSeed[t.run] = k;
    runs.seeds[t.run] = (runs.seeds[t.run] || 0) + 1;
  });
  data.trajectories.forEach((t, k) => traces.push(trajectoryTrace(t, k, runs)));

  for (const metric of data.metrics) select.add(new Option(metric.name, metric.name));
  select.disabled = data.metrics.length === 0;
  select.addEventListener("change", () => {
    const metric = data.metrics.find((m) => m.name === select.value);
    Plotly.restyle(plot, { marker: [colour(metric)] }, [0]);
  });
  document.getElementById("count").textContent = data.x.length + " architectures" +
    (data.trajectories.length ? ", " + data.trajectories.length + " search trajectories" : "");

  const explorer = { data, show, ready: false };
  window.explorer = explorer;
  const layoutOptions = {
    margin: { l: 20, r: 20, t: 20, b: 20 }, hovermode: "closest", dragmode: "pan",
    xaxis: { showticklabels: false, zeroline: false }, yaxis: { showticklabels: false,
      zeroline: false }, legend: { orientation: "h", y: -0.02 },
  };
  Plotly.newPlot(plot, traces, layoutOptions,
    { responsive: true, displaylogo: false, scrollZoom: true }).then(() => {
    plot.on("plotly_click", (event) => {
      const point = event.points[0];
      if (point.curveNumber === 1) return;
      show(point.curveNumber === 0 ? point.pointIndex : point.customdata);
    });
    explorer.ready = true;
    document.body.dataset.ready = "true";
  });
})();
