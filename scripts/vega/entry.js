// One file for the browser: the page's charts.js finds these on window.
import * as vega from "vega";
import * as vegaLite from "vega-lite";
import embed from "vega-embed";
import { expressionInterpreter } from "vega-interpreter";

window.vega = vega;
window.vegaLite = vegaLite;
window.vegaEmbed = embed;
window.vegaExpressionInterpreter = expressionInterpreter;
