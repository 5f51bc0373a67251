// The city map: Batu's desa/kelurahan and kecamatan as SVG paths, open cases as markers.
//
// No tiles (the wall works offline): an equirectangular projection fitted to the city's
// bounding box is exact enough for a city 20 km across — x scales longitude by cos(latitude)
// so distances look right, y grows southwards.

import { s } from "./util.js";

const WIDTH = 1000;
const MARGIN = 0.03;
// Used until the boundaries have loaded (and if none are imported): Kota Batu's extent.
const BATU_BBOX = { west: 112.45, east: 112.60, south: -7.95, north: -7.75 };

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function bboxOf(features) {
  const box = { west: Infinity, east: -Infinity, south: Infinity, north: -Infinity };
  for (const feature of features) {
    for (const ring of rings(feature.geometry)) {
      for (const [lon, lat] of ring) {
        box.west = Math.min(box.west, lon);
        box.east = Math.max(box.east, lon);
        box.south = Math.min(box.south, lat);
        box.north = Math.max(box.north, lat);
      }
    }
  }
  return Number.isFinite(box.west) ? box : null;
}

/** Centre of a feature's largest ring (vertex average: fine for a label). */
function labelPoint(feature) {
  const centre = feature.properties && feature.properties.centre;
  if (Array.isArray(centre) && centre.length === 2) return centre;
  let best = null;
  for (const ring of rings(feature.geometry)) if (!best || ring.length > best.length) best = ring;
  if (!best || !best.length) return null;
  const sum = best.reduce((acc, [lon, lat]) => [acc[0] + lon, acc[1] + lat], [0, 0]);
  return [sum[0] / best.length, sum[1] / best.length];
}

export class CityMap {
  constructor(svg) {
    this.svg = svg;
    this.markers = new Map(); // case id → <g>
    this.fit(BATU_BBOX);
    this.areaLayer = s("g", { class: "areas" });
    this.labelLayer = s("g", { class: "labels" });
    this.normalLayer = s("g", { class: "markers" });
    this.overdueLayer = s("g", { class: "markers overdue-markers" }); // drawn on top
    svg.replaceChildren(this.areaLayer, this.labelLayer, this.normalLayer, this.overdueLayer);
  }

  fit(box) {
    const midLat = ((box.north + box.south) / 2) * (Math.PI / 180);
    const kx = Math.cos(midLat);
    const spanX = (box.east - box.west) * kx;
    const spanY = box.north - box.south;
    const west = box.west - spanX / kx * MARGIN;
    const north = box.north + spanY * MARGIN;
    const scale = WIDTH / (spanX * (1 + 2 * MARGIN));
    const height = Math.round(spanY * (1 + 2 * MARGIN) * scale);
    this.project = ([lon, lat]) => [
      +((lon - west) * kx * scale).toFixed(1),
      +((north - lat) * scale).toFixed(1),
    ];
    this.svg.setAttribute("viewBox", `0 0 ${WIDTH} ${height}`);
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
  }

  path(feature) {
    return rings(feature.geometry)
      .map((ring) => "M" + ring.map((p) => this.project(p).join(",")).join("L") + "Z")
      .join("");
  }

  /** @param {{city: object[], districts: object[], villages: object[]}} layers GeoJSON features */
  drawAreas({ city, districts, villages }) {
    const box = bboxOf(city.length ? city : [...districts, ...villages]);
    if (!box) return;
    this.fit(box);
    const districtIndex = new Map(districts.map((d, i) => [d.properties.code, i % 3]));
    const layer = [];
    for (const village of villages) {
      const shade = districtIndex.get(village.properties.parent) ?? 0;
      layer.push(s("path", {
        class: `village shade-${shade}`, d: this.path(village),
        dataset: { code: village.properties.code },
      }, s("title", {}, village.properties.name)));
    }
    for (const district of districts) {
      layer.push(s("path", { class: "district", d: this.path(district) }));
    }
    for (const outline of city) layer.push(s("path", { class: "city", d: this.path(outline) }));
    this.areaLayer.replaceChildren(...layer);

    const labels = [];
    for (const district of districts) {
      const at = labelPoint(district);
      if (!at) continue;
      const [x, y] = this.project(at);
      labels.push(s("text", { class: "district-label", x, y },
        `Kec. ${district.properties.name}`));
    }
    for (const village of villages) {
      const at = labelPoint(village);
      if (!at) continue;
      const [x, y] = this.project(at);
      labels.push(s("text", { class: "village-label", x, y }, village.properties.name));
    }
    this.labelLayer.replaceChildren(...labels);
    // Markers drawn before the boundaries arrived were placed with the provisional fit.
    for (const marker of this.markers.values()) this.place(marker, marker.caseData);
  }

  place(marker, c) {
    const [x, y] = this.project([c.lon, c.lat]);
    marker.setAttribute("transform", `translate(${x} ${y})`);
  }

  /** Show exactly these cases. @param {Iterable<object>} cases @param {(c) => boolean} isOverdue */
  setCases(cases, isOverdue) {
    const seen = new Set();
    for (const c of cases) {
      if (typeof c.lat !== "number" || typeof c.lon !== "number") continue;
      seen.add(c.id);
      const overdue = isOverdue(c);
      let marker = this.markers.get(c.id);
      if (!marker) {
        marker = s("g", { class: "case", dataset: { caseId: c.id } },
          s("circle", { class: "ring", r: 20 }),
          s("circle", { class: "dot", r: 9 }),
          s("title", {}));
        this.markers.set(c.id, marker);
      }
      marker.caseData = c;
      marker.setAttribute("class", `case status-${c.status}${overdue ? " overdue" : ""}`);
      marker.dataset.status = c.status;
      marker.lastChild.textContent = `${c.ticketNumber} · ${c.categoryName} · ${c.villageName}`;
      this.place(marker, c);
      const layer = overdue ? this.overdueLayer : this.normalLayer;
      if (marker.parentNode !== layer) layer.append(marker);
    }
    for (const [id, marker] of this.markers) {
      if (!seen.has(id)) {
        marker.remove();
        this.markers.delete(id);
      }
    }
  }
}
