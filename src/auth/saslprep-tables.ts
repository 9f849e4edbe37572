/**
 * RFC 3454 (stringprep) tables used by SASLprep (RFC 4013), as code-point
 * ranges: comma-separated `start` or `start-extra` (base 36), covering
 * start..start+extra. Generated from the tables of @mongodb-js/saslprep
 * (themselves transcribed from RFC 3454); saslprep.test.ts checks every code
 * point against that package.
 */

/** A.1 Unassigned code points in Unicode 3.2. */
export const UNASSIGNED =
  "f5,fo-r,j2-1,kv-g,nk-f,og-3,om-3,or-2,ov-4,p7,p9,pu,r3,s7-8,w7,y7,za-1,ze-5,100-w,11z-1,128,13c,13f-5,142,14q," +
  "151-a,163-4,16d-m,171-d,17g-2,17k,18b-4,192-9,1da-1,1dr,1e6,1f1-2,1fv-1g,1iq-9a,1s4,1tm-1,1u6-1,1ud-2,1v5-f,1v" +
  "o,1vx-1,1w1-1,1wp,1wx,1wz-2,1x6-1,1x9,1xh-1,1xl-1,1xq-8,1y0-3,1y6,1yc-1,1yz-6,1z7-1,1zf-3,1zl-1,209,20h,20k,20" +
  "n,20q-1,20t,20z-3,215-1,21a-a,21p,21r-6,22d-b,22s,230,232,236,23t,241,244,24a-1,24m,24q,24u-1,24x-e,25d-4,25s-" +
  "g,26c,26l-1,26p-1,27d,27l,27o-1,27u-1,284-2,289-1,28e-7,28o-3,28u,28y-3,29d-g,29w,2a3-2,2a9,2ae-2,2aj,2al,2ao-" +
  "2,2at-2,2az-2,2ba,2be-3,2bn-2,2bt,2by-8,2c8-e,2cz-d,2dg,2dp,2dt,2eh,2es,2ey-3,2f9,2fd,2fi-6,2fr-8,2g2-3,2gg-h," +
  "2h0,2h9,2hd,2i1,2ic,2ii-3,2it,2ix,2j2-6,2jb-6,2jj,2jm-3,2k0-h,2kk,2kt,2kx,2ll,2m2-3,2mc-1,2mh,2mm-8,2mw-7,2n6-" +
  "3,2nk-h,2o4,2on-2,2pe,2po,2pq-1,2pz-2,2q3-3,2qd,2qf,2qo-h,2r9-b,2t7-3,2u4-10,2v7,2v9-1,2vd,2vf-1,2vi-5,2vs,2w0" +
  ",2w4,2w6,2w8-1,2wc,2wq,2wu-1,2x1,2x3,2xa-1,2xm-1,2xq-x,30o,31n-5,32k-3,32w,33x,34d-1,34g-1b,36q,36w,36z,377-2," +
  "37e-5,38a-1x,3ba-9,3cp-1,3cs-3,3fe-4,3hf-4,3ju-5,3k7,3lz,3m1,3m6-1,3mf,3mh,3mm-1,3nr,3nt,3ny-1,3ov,3ox,3p2-1,3" +
  "pb,3pd,3pi-1,3pr,3pz,3qn,3rj,3rl,3rq-1,3rz,3t3,3tn-5,3ul-y,3xx-b,4fr-8,4gt-2,4j5-e,4jx,4k5-a,4l3-8,4lw-b,4ml,4" +
  "mp,4ms-b,4pp-2,4q2-l,4r3,4re-5,4u0-7,4ve-11x,61o-3,64a-5,652-1,65a-1,66e-1,66m-1,66w,66y,670,672,67y-1,69h,69x" +
  ",6ac-1,6ak,6b4-1,6b9,6bj,6dv-3,6e0-6,6ec-5,6eq-1,6fj-g,6gi-t,6i3-k,6kb-1,6ks-6,6mc-b,72n-1c,753-o,763-k,7b3,7i" +
  "s-1,7iw,7lq-1,7m2-3a,7ph,7pm-1,7qg,7rg,7ri,7rn-2,7rr,7rz-1,7th-2,7u8,7un-g,7vw-3,8hs-ov,97e,99w-b,9g6-p,9h8-3," +
  "9j4,9lj-1,9og-4,9pp-3,9sf,9tk-1j,9wd-2,9xg-c,9z0-2,a18-3,a2n,a5z-3,a8u-1,a9r,fcm-21,vja-2h,wi5-2,wjr-1fc,16lg-" +
  "2j,1df2-1,1dgr-44,1dl3-b,1dlk-4,1dmf,1dml,1dmn,1dmq,1dmt,1dpu-w,1e0w-f,1e34-1,1e4o-7,1e65-2,1e6o-f,1e78-b,1e87" +
  "-1,1e8j,1e93,1e98-3,1e9h,1ed9-1,1edc,1ein-2,1eiw-1,1ej4-1,1ejc-1,1ejh-2,1ejr,1ejz-9,1ekg-lb,1f6n,1f6s-b,1f7v-5" +
  "0,1fdy-1,1ff2-148h,2jue-9,2jvr-2,2k0u-f5,2kid,2kkd,2kkg-1,2kkj-1,2kkn-1,2kkt,2kl6,2kl8,2kld,2klg,2kna,2knf-1,2" +
  "knp,2knx,2koq,2kov,2kp1,2kp3-2,2kpd,2kys-3,2l6y-3,2l8g-7wd,3q3b-g14,46ji-15r,47pc-1ekd,5m9s-1ekd,70u8-1ekd,8fe" +
  "o-1ekd,9tz4-1ekd,b8jk-1ekd,cn40-1ekd,e1og-1ekd,fg8w-1ekd,gutc-1ekd,i9ds-1ekd,jny8,jnya-t,jo1s-1egt"

/** B.1 Commonly mapped to nothing. */
export const MAPPED_TO_NOTHING =
  "4t,nj,4qu,4qz-2,6bv-2,6e8,1e68-f,1edb"

/** C.1.2 Non-ASCII space characters. */
export const NON_ASCII_SPACE =
  "4g,4g0,6bk-b,6cv,6e7,9hc"

/** C.1.2, C.2.1, C.2.2, C.3 to C.9: prohibited output (RFC 4013 §2.3). */
export const PROHIBITED =
  "0-v,3j-x,n4-1,1ct,1e7,4g0,4r2,6bk-f,6co-7,6e7-4,6ei-5,9gw-b,9hc,16o0-6in,1e4w-v,1edb,1ek9-6,2jxv-7,2t4u-1,47pa" +
  "-1,5m9q-1,70u6-1,8fem-1,9tz2-1,b8ji-1,cn3y-1,e1oe-1,fg8u-1,guta-1,i9dq-1,jny6-1,jny9,jnz4-2n,l2im-1ekf,mh34-1e" +
  "kf"

/** D.1 Characters with bidirectional property R or AL. */
export const RAND_AL_CAT =
  "14u,14w,14z,15c-q,168-4,17f,17j,17l-p,18g-a,19p-2,19t-2s,1ct,1d1-1,1dm-4,1ds-d,1e8,1ea-q,1hc-11,1ip,6bz,1dlp,1" +
  "dlr-9,1dm2-c,1dmg-4,1dmm,1dmo-1,1dmr-1,1dmu-2z,1dqr-a2,1e1c-1r,1e36-1h,1e5s-c,1e9c-4,1e9i-3q"

/** D.2 Characters with bidirectional property L. */
export const L_CAT =
  "1t-p,2p-p,4q,51,56,5c-m,60-u,6w-88,f6-h,gg-2l,j4-8,jf-6,k0-1,kg-4,ku,oq,p2,p4-2,p8,pa-j,pv-17,r4-11,sg-3m,wa-1" +
  "w,y8-11,zc-1,zk-f,10x-11,121-6,129-12,13d,1s3,1s5-1g,1tp-3,1u1-3,1u8,1ug-9,1us-c,1vm-1,1vp-7,1vz-1,1w3-l,1wq-6" +
  ",1wy,1x2-3,1xa-2,1xj-1,1xn-1,1xz,1y4-1,1y7-2,1ye-b,1ys-6,1z9-5,1zj-1,1zn-l,20a-6,20i-1,20l-1,20o-1,20u-2,21l-3" +
  ",21q,21y-9,22a-2,22r,22t-6,231,233-2,237-l,23u-6,242-1,245-4,24d-3,24p,24r-1,24w,25c,25i-9,26a-1,26d-7,26n-1,2" +
  "6r-l,27e-6,27m-1,27q-3,27x-1,280,287-1,28b-1,28n,28s-1,28v-2,292-a,29v,29x-5,2a6-2,2aa-3,2ah-1,2ak,2am-1,2ar-1" +
  ",2aw-2,2b2-7,2bb-2,2bi-1,2bl-1,2bq-2,2bu-2,2c7,2cn-b,2dd-2,2dh-7,2dq-2,2du-m,2ei-9,2et-4,2f5-3,2g0-1,2g6-9,2gy" +
  "-1,2h1-7,2ha-2,2he-m,2i2-9,2id-4,2im,2io-4,2iv-1,2iy-1,2j9-1,2ji,2jk-1,2jq-9,2ki-1,2kl-7,2ku-2,2ky-m,2lm-f,2m6" +
  "-2,2me-2,2mi-2,2mv,2n4-1,2na-9,2o2-1,2o5-h,2oq-n,2pf-8,2pp,2ps-6,2q7-2,2qg-7,2r6-2,2rl-1b,2sy-1,2tc-6,2tr-c,2v" +
  "5-1,2v8,2vb-1,2ve,2vh,2vo-3,2vt-6,2w1-2,2w5,2w7,2wa-1,2wd-3,2wi-1,2wt,2ww-4,2x2,2xc-9,2xo-1,2yo-n,2ze-q,306,30" +
  "8,30e-9,30p-x,327,32d,32g-3,33y-7,347-5,34f,35s-x,36r-4,36x-1,370,375,37c,37k-n,3a8-11,3bk-14,3cr,3cw-2h,3fj-1" +
  "v,3hk-29,3k0-6,3k8-1q,3m0,3m2-3,3m8-6,3mg,3mi-3,3mo-12,3ns,3nu-3,3o0-u,3ow,3oy-3,3p4-6,3pc,3pe-3,3pk-6,3ps-6,3" +
  "q0-m,3qo-u,3rk,3rm-3,3rs-6,3s0-12,3t4-i,3tt-r,3vk-2c,3y9-hh,4g1-p,4gw-28,4jk-c,4jy-3,4kg-h,4l1-1,4lc-h,4m8-c,4" +
  "mm-2,4n4-1i,4ou-7,4p3-1,4pg-6,4po,4ps-9,4r4-9,4rk-2f,4u8-14,5xc-4b,61s-2h,64g-l,654-5,65c-11,66g-5,66o-7,66x,6" +
  "6z,671,673-u,680-1g,69i-6,69q,69u-2,69y-6,6a8-3,6ae-5,6ao-c,6b6-2,6ba-6,6by,6ep,6f3,6iq,6iv,6iy-9,6j9,6jd-4,6j" +
  "o,6jq,6js,6ju-3,6jz-2,6k3-6,6kd-2,6kl-4,6lc-z,6ye-1w,711,78c-25,9hh-2,9i9-8,9ip-4,9iw-4,9j5-2d,9lp-2,9lt-2h,9o" +
  "c-3,9ol-13,9pt-2l,9sg-13,9v4-18,9wg-z,9y8-r,9z3-1d,a0w-b,a1c-1a,a2o-3a,a63-2q,a8w-u,a9s-52t,feo-g4l,vls-wc,xz4" +
  "-8mb,16o0-6r1,1df4-1m,1dkw-6,1dlf-4,1ee9-p,1ef5-p,1eg6-2g,1eiq-5,1eiy-5,1ej6-5,1eje-2,1f5s-u,1f6o-3,1f74-q,1fc" +
  "w-11,1fe0-11,2jnk-6t,2juo-12,2jvu-1o,2jxm-8,2jyb-1,2jyk-t,2jzi-1b,2kg0-2c,2kie-1y,2kke-1,2kki,2kkl-1,2kkp-3,2k" +
  "ku-b,2kl7,2kl9-3,2kle-1,2klh-1s,2knb-3,2knh-7,2knq-6,2kny-r,2kor-3,2kow-4,2kp2,2kp6-6,2kpe-9d,2kyw-81,2t4w-wye" +
  ",464g-f1,l2io-1ekd,mh34-1ekd"
