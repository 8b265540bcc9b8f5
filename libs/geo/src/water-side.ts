/**
 * How near water must be, measured from a road's centre line, for each question asked of it. Two
 * questions, two distances, two names: "water-side" is only ever the first.
 */

/**
 * "Water-side" (临水), metres: water within this distance of the centre line. One definition for
 * the engine's classification and summary (`water.besideMaxM`), the risk model's roadside rating
 * (RHR 6, `cmf.roadside.waterBesideM`) and the risk service's queries, rankings, facets and map.
 */
export const WATER_SIDE_MAX_M = 30;

/**
 * The mandatory-protection rule, metres: water within this distance of the centre line means a
 * guardrail MUST stand on its side. Nearer than water-side: the rule calls for works, the
 * classification only for attention. The task service's `MANDATORY_PROTECTION_WATER_DISTANCE_M`
 * overrides it.
 */
export const GUARDRAIL_MUST_WATER_MAX_M = 20;
