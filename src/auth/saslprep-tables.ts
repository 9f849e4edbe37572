/**
 * RFC 3454 (stringprep) tables used by SASLprep (RFC 4013), as sorted,
 * disjoint code-point ranges. Each range starts `gap` code points after the
 * end of the one before (the first: after -1) and covers start..start+extra,
 * written as numbers in hex digits where a digit that is not the number's
 * last is shifted by 16 (base-32 `g`..`v`), so no separators are needed: a
 * single code point is the number gap*2; a longer range is gap*2+1 followed
 * by extra-1. Gaps rather than starts and the flag bit rather than a zero
 * keep the numbers short (35% fewer bytes than comma-separated base 36 with
 * an optional `-extra`, 17% fewer gzipped). Generated from the tables of
 * @mongodb-js/saslprep (themselves transcribed from RFC 3454);
 * test/unit/saslprep-reference.test.ts checks every code point against that
 * package.
 */

/** A.1 Unassigned code points in Unicode 3.2. */
export const UNASSIGNED =
  "kk2i5hard0nffq1ei12523133e2i8l8kf7hgeoekd054i1hfkd0eke54i2ieh59j73bh53c312j53id8hhd0hehcjd1j7j3m5hkd6mb0i50b1j" +
  "3e6h1050ice31902f05077324b0ib530d250ice44502b25079835hfa6e26ice4b0h46703d33h5f6h1050ice5090h11507652472h7f4d16" +
  "9142515171h072b16973dh9c6h06ieh4b2e6955752h5h04h06ieh4b2e69555252h5h04h06iei12d06973652h5h04i51j0h230f132c2h1h" +
  "07an52jbi3430430348e62304ha70a2d0h505i0p0k54j72h0k8hf03iek4a4f194j5k4kd8l3032r53o93q54ene290e290ke290je290e290" +
  "eeieje290ekei74j9i1qbakud7jb1q3dhaf9if7i9aha65arb1h5h4heh54r16l5ll4hj92r54id0d0kd0d0h0222jf0mahehd0ci706h2q723" +
  "5b4h10j7fi5hcj7h3n70hf5m3aknfifkfh7h7h3hjeii904sb0h5n5890j8k62912f0m91j0hdfj92mi1jnej4r3ahqdh8h92o0qd0sf3l12rc" +
  "l1j6lb1k9bl71pb2leuf2s70jejjmdk8qjkdl8phb1mfnj7lnk9lakkld0n7p3fab3j4a244t9hfitbeo10md6lb1i1e9aif0h4i692ahgf02h" +
  "nd1d0d0d071ef8fiveje9aj7r3kd0kdsrr0hud8kf1hm9ii0qaoe5030508h8284o290h0ej88a31eiq52ik52m5invchktr3lhi7kjdlte5vv" +
  "vc5vvvc5vvvc5vvvc5vvvc5vvvc5vvvc5vvvc5vvvc5vvvc5vvvc43hcs1vvnc"

/** B.1 Commonly mapped to nothing. */
export const MAPPED_TO_NOTHING =
  "hlalk2ipmc91vvb1q4hrrjfehte"

/** C.1.2 Non-ASCII space characters. */
export const NON_ASCII_SPACE =
  "hk0irrehivfak6lehvk0"

/** C.1.2, C.2.1, C.2.2, C.3 to C.9: prohibited output (RFC 4013 §2.3). */
export const PROHIBITED =
  "1herfi0ljf0nj6m2huu0jhavu3ej16lf3d4hvg1a8hkvvfigvepq1heihehv35hqiu76ltg70hvvvd0hvvvd0hvvvd0hvvvd0hvvvd0hvvvd0h" +
  "vvvd0hvvvd0hvvvd0hvvvd0hvvvd0hvvvd02jdlehvuvdvvve5vvve"

/** D.1 Characters with bidirectional property R or AL. */
export const RAND_AL_CAT =
  "rnc24h9h9b3kc63h8b9k513m3ef0i733c43h9q7i4h6jgrahrmha383b33230303mak3hm9i5je5j4l1bu733o5"

/** D.2 Characters with bidirectional property L. */
export const L_CAT =
  "o3h8dh8leh48bh53hd3hi73h0j9lc5755hd0hd3h2hh6h63123h23ia3i4h5o1fk33i450dek3i4553i52mv23j372h126f85bi3036505h435" +
  "27291d050h490319a55h54905h43530303091j122f851hc352313h435303372h0306heb8i5036505h4353052702d050h4903199i434713" +
  "2702307071763190307131h4hfahd136313h53833f2j7098i5036313h538338335030h30e3098i5036313h53e91b131h4h1098i503h07h" +
  "637255h11d6i51h9ie30h95h1bkb025024d2353122503230h2532h3850k5h65h922b83i0i8a52m56344m1i0333028cfh6p1i4h5i749l8b" +
  "k2bl0d53jd232552325i52325hd2325523255353h53hd232553i53h1dhak7l3h9in4h5h8bkfhfb32hdh070h3h0hdb31hfj5f630h75278k" +
  "d8dl6h1i7qqfpa9l8dh4545i454562223hd5j3352713572549bb135i2s4hahg4858273c2232313571b3idi2jm5k3j4igdkchmj71j37f35" +
  "39l4d13l832bi69lc3i6n1ib7i2j9ha7j0hfa9id3n59m15hd3hpr4p5lhq4r5kobuu7irq2r9iiic5j9hib5h93oh3h8dh8h7l774545451mk" +
  "7hd32h9h9hmbi45i4hpnm5v4h5i57jb77i10fhc9iekk5l33k530450523a232303jf3256353ha32332753hl09hi0lgmdqmt5qil3ihchogr" +
  "s5vvvc5vvvc"
