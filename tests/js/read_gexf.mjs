// Read a GEXF file with graphology-gexf (Gephi Lite's parser) and print what it kept as JSON:
// node and edge counts, how many nodes and edges have a `date` attribute, and every node's
// and edge's attributes.  Usage: node read_gexf.mjs FILE.gexf
import { readFileSync } from "node:fs";
import Graph from "graphology";
import { parse } from "graphology-gexf";

const graph = parse(Graph, readFileSync(process.argv[2], "utf-8"));
const nodes = {};
graph.forEachNode((node, attributes) => { nodes[node] = attributes; });
const edges = [];
graph.forEachEdge((edge, attributes, source, target) => {
  edges.push({ source, target, attributes });
});
console.log(JSON.stringify({
  type: graph.type,
  order: graph.order,
  size: graph.size,
  datedNodes: graph.filterNodes((_, attributes) => "date" in attributes).length,
  datedEdges: graph.filterEdges((_, attributes) => "date" in attributes).length,
  nodes,
  edges,
}));
