"""Bibliography shown in the app (Help > Sources) and cited by key from the core.

Citations are as recorded in docs/clinical-reference.md; where that file
marks authorship as unconfirmed, the entry says so rather than guessing.
"""

from __future__ import annotations

BIBLIOGRAPHY: dict[str, str] = {
    "tomii-2003": "Tomii M, et al. Microsurgical anatomy of the facial nerve root exit zone. J Neurosurg 2003;99:121.",
    "campos-benitez-2008": "Campos-Benitez M, Kaufmann AM. Neurovascular compression findings in hemifacial spasm. J Neurosurg 2008;109:416.",
    "haller-2016": "Haller S, et al. Imaging of neurovascular compression syndromes: trigeminal neuralgia, hemifacial spasm, vestibular paroxysmia, and glossopharyngeal neuralgia. AJNR 2016 (PMC7960264).",
    "gupta-2023": "Gupta et al. Cisternal facial nerve: length and central myelin. Ann Anat 2023;152128.",
    "brazis-neuroanatomy": "Brazis PW, Masdeu JC, Biller J. Localization in Clinical Neurology: the facial nerve (secondary source; attribution unconfirmed).",
    "neurographics-2015": "Imaging of hemifacial spasm. ASNR Neurographics 2015;5(1) (authors unconfirmed).",
    "kakizawa-2008": "Kakizawa Y, et al. Facial nerve course on MRI in hemifacial spasm. J Neurosurg 2008;108:483.",
    "chen-2003": "Chen et al. Microanatomy of the internal acoustic meatus (Chinese cadaver study), 2003.",
    "guclu-2012": "Guclu B, et al. Cisternal vestibulocochlear nerve. Acta Neurochir 2012;154:2277 (first author unconfirmed).",
    "jnis-posterior-circulation": "Dimensions of the posterior cerebral circulation. J NeuroInterv Surg (via medtune.com).",
    "reyes-soto-2024": "Reyes-Soto G, et al. Basilar artery morphometry. Diagnostics 2024;14:534.",
    "ballesteros-2020": "Ballesteros L, et al. Anterior inferior cerebellar artery morphology. Neurol Res 2020;42:828.",
    "ballesteros-2022": "Ballesteros L, et al. Posterior inferior cerebellar artery origin. Folia Morphol 2022;81:559.",
    "dubrowski-aica": "Dubrowski A, et al. AICA on CTA. Folia Morphol, doi 10.5603/fm.106528.",
    "rhoton-cpa": "Rhoton AL Jr. The cerebellopontine angle and posterior fossa cranial nerves (Rhoton atlas, neurosurgicalatlas.com).",
    "bender-2018": "Bender B, et al. Petrosal veins. AJNR 2018.",
    "gandaki-2019": "Brainstem dimensions on MRI (n=103). J Gandaki Med Coll 2019 (DOAJ).",
    "tsukano-1991": "Tsukano. Morphometry of the pons. Niigata Igakkai Zasshi 1991;105:187.",
    "korean-radiol-1995": "Middle cerebellar peduncle on MRI. J Korean Radiol Soc 1995;33:687.",
    "miao-2018": "Miao et al. Neurovascular contact geometry in HFS on MRI. Chin J Clin Anat 2018;36:17.",
    "park-2008": "Park JS, et al. Compression patterns in hemifacial spasm (n=236). Acta Neurochir 2008;150:235.",
    "iwasaki-2025": "Iwasaki et al. Tortuous vertebral artery in hemifacial spasm. Neurosurg Focus 2025.",
    "traylor-2021": "Traylor KS, et al. Prevalence and location of neurovascular compression in HFS on MRI (n=330). Brain 2021;144:1482.",
    "hughes-2021": "Hughes MA, et al. MRI of the facial nerve in HFS (n=212). Brain Commun 2021;fcab146.",
    "hughes-2015": "Hughes MA, et al. MRI after failed microvascular decompression. AJNR 2015;36:768.",
    "deep-2016": "Deep NL, et al. Neurovascular contact in controls. J Neurol Surg B 2016;77:503.",
    "lee-park-2026": "Lee HS, Park K. Isolated cisternal AICA compression. Life 2026;16:166.",
    "distal-review-2019": "Distal and double compression in HFS: review of 64 cases. Case Rep Neurol Med 2019:8526157.",
    "han-2009": "Han et al. HFS series n=1642 (PMID 19574834). Neurosurgery 2009 (names unconfirmed).",
    "yaltho-jankovic-2011": "Yaltho TC, Jankovic J. The many faces of hemifacial spasm. Mov Disord 2011;26:1582.",
    "lee-2010": "Lee SH, Rhee BA, Choi SK, Koh JS, Lim YJ. Cerebellopontine angle tumors causing hemifacial spasm: types, incidence, and mechanism in nine reported cases and literature review. Acta Neurochir 2010;152(11):1901-1908 (9/2050).",
    "epidermoid-1989": "Epidermoid tumours and HFS. Neurology 1989;39:577.",
    "marin-collazo-2018": "Marin Collazo IV, Tobin WO. Facial movement disorders in multiple sclerosis. Neurologist 2018.",
    "avm-2022": "AVM-related neurovascular compression syndromes: 37 reported cases. J Neurointensive Care (e-jnic.org) 2022.",
    "miller-2012": "Miller LE, Miller VM. Safety and effectiveness of MVD for HFS: 22 studies, 5685 patients. Br J Neurosurg 2012;26:438 (names unconfirmed).",
    "hyun-2010": "Hyun SJ, et al. MVD for HFS, n=1174. Neurosurg Rev 2010;33:325.",
    "nielsen-1984": "Nielsen VK. Pathophysiology of hemifacial spasm: I. Ephaptic transmission and ectopic excitation. Neurology 1984;34:418.",
    "nielsen-jannetta-1984": "Nielsen VK, Jannetta PJ. Pathophysiology of HFS: effects of facial nerve decompression. Neurology 1984 (names unconfirmed).",
    "nielsen-1985": "Nielsen VK. Electrophysiology of the facial nerve in HFS: ectopic/ephaptic excitation. Muscle Nerve 1985;8:545.",
    "moller-jannetta-1985": "Moller AR, Jannetta PJ. Hemifacial spasm: results of electrophysiologic recording during MVD. Neurology 1985;35:969.",
    "ferguson-1978": "Ferguson JH. Hemifacial spasm and the facial nucleus. Ann Neurol 1978;4:97.",
    "lefaucheur-2018": "Lefaucheur JP. New insights into the pathophysiology of primary hemifacial spasm. 2018 (journal unconfirmed).",
    "lacombe-2009": "Lacombe H. Transition zone as locus minoris resistentiae. Neurochirurgie 2009;55:113.",
    "hermier-2018": "Hermier M. Imaging of hemifacial spasm. Neurochirurgie 2018;64:117.",
    "jannetta-1985": "Jannetta PJ, quoted in Neurol Clin 1985;3:359: pulsatile arterial compression.",
    "leal-sindou-2010": "Leal PR, Sindou M, et al. MRI grading of neurovascular conflict. Acta Neurochir 2010;152:817.",
    "heliyon-2021-lsr": "Lateral spread response and MVD outcome: systematic review, 6404 cases. Heliyon 2021.",
    # Management sources, checked against PubMed / publisher pages (see docs/clinical-reference.md section 8).
    # The former "aan-2016-botulinum" key cited the 2016 AAN update, which covers blepharospasm,
    # cervical dystonia, spasticity and headache but not hemifacial spasm: replaced by the 2008 assessment.
    "simpson-2008-aan": "Simpson DM, Blitzer A, Brashear A, et al. Assessment: botulinum neurotoxin for the treatment of movement disorders (an evidence-based review). Report of the Therapeutics and Technology Assessment Subcommittee of the American Academy of Neurology. Neurology 2008;70(19):1699-1706. doi:10.1212/01.wnl.0000311389.26145.95 (PMID 18458230; HFS: one Class II and one Class III study, Level C 'may be considered'; since marked retired).",
    "alexander-1982": "Alexander GE, et al. Carbamazepine for hemifacial spasm. Neurology 1982;32(3):286. doi:10.1212/WNL.32.3.286 (title, journal and first author verified from a reference list; initials and co-authors unconfirmed).",
    "tan-2002": "Tan NC, Chan LL, Tan EK. Hemifacial spasm and involuntary facial movements. QJM 2002;95:493-500 (botulinum toxin effective; exclude a space-occupying lesion).",
    # Arterial pulsation (viewer/motion.py).
    "warnert-2016": "Warnert EAH, et al. Using high-field magnetic resonance imaging to estimate distensibility of the middle cerebral artery. Neurodegener Dis 2016 (PMC5322578): 7 T MRI, 10 volunteers, M1 lumen area +2.58 % from diastole to systole (range 0.08-6.48 %) (authors' names unconfirmed).",
    "poncelet-1992": "Poncelet BP, et al. Brain parenchyma motion: measurement with cine echo-planar MR imaging. Radiology 1992;185(3):645-651. doi:10.1148/radiology.185.3.1438740 (PMID 1438740): rapid systolic displacement, slow diastolic recovery, net excursion at most 0.5 mm (first author unconfirmed).",
    "gwilliam-2009": "MR derived volumetric flow rate waveforms within the common carotid, internal carotid and basilar arteries (22 volunteers, archetypal waveforms). J Cereb Blood Flow Metab 2009. doi:10.1038/jcbfm.2009.176 (authors unconfirmed).",
    # Added with the teaching presets (viewer/presets/), checked against PubMed Central.
    "iida-2020": "Iida Y, Mori K, Kawahara Y, Fukui I, Abe K, Takeda M, et al. Hemifacial spasm caused by vertebral artery aneurysm treated by endovascular coil embolization. Surg Neurol Int 2020;11 (article number unconfirmed). doi:10.25259/SNI_564_2020 (PMC7749930; VA aneurysms are a rare cause of HFS; a saccular VA-PICA aneurysm compressing the root exit zone, spasm resolved after coiling).",
    # Secondary causes: facial nerve injury, inflammatory conditions, meningioma (docs/clinical-reference.md
    # says what each says and where it was read; abstracts and bibliographic records only).
    "lu-2014": "Lu AY, Yeung JT, Gerrard JL, Michaelides EM, Sekula RF Jr, Bulsara KR. Hemifacial spasm and neurovascular compression. ScientificWorldJournal 2014;2014:349319. doi:10.1155/2014/349319 (PMC4227371; primary HFS from vascular compression, secondary HFS from all other causes of facial nerve damage).",
    "colosimo-2006": "Colosimo C, Bologna M, Lamberti S, et al. A comparative study of primary and secondary hemifacial spasm. Arch Neurol 2006;63(3):441-444. doi:10.1001/archneur.63.3.441 (PMID 16533973; 214 patients, 50 secondary: 48 postparalytic, 2 symptomatic).",
    "shimizu-2005": "Shimizu S, Tanaka R, Sato S, Fujii K. Hemifacial spasm following a blow to the mandible causing blunt injury to the peripheral facial nerve: case report. Neurol Med Chir (Tokyo) 2005;45:192-195.",
    "wang-2006": "Wang HC, Lu CH, Lee RJ, Yang TM, Hung KS. Post-traumatic hemifacial spasm. J Clin Neurosci 2006;13(6):681-683 (a haematoma in the lower central pons; a central mechanism).",
    "sadjadpour-1975": "Sadjadpour K. Postfacial palsy phenomena: faulty nerve regeneration or ephaptic transmission? Brain Res 1975 (volume and pages unconfirmed; MEDLINE abstract).",
    "reflex-excitability-1999": "Reflex excitability of facial motoneurons at onset of muscle reinnervation after facial nerve palsy. Muscle Nerve 1999;22(5):614-620 (PMID 10331361; IDIBAPS, Barcelona; authors unconfirmed).",
    "telischi-1991": "Telischi FF, Grobman LR, Sheremata WA, Apple M, Ayyar DR. Hemifacial spasm: occurrence in multiple sclerosis. Arch Otolaryngol Head Neck Surg 1991;117(5):554-556.",
    "onesti-2016": "Onesti E, Frasca V, Inghilleri M. Hemifacial spasm in late-onset multiple sclerosis: a case report and literature review. Medical Research Archives 2016;4(7).",
    "lewitt-2016": "LeWitt TM. Hemifacial spasm from Lyme disease: antibiotic treatment points to the cause. Clin Neuropharmacol 2016 (online 14 Oct 2016). doi:10.1097/WNF.0000000000000193.",
    "iwai-2001": "Iwai Y, Yamanaka K, Nakajima H. Hemifacial spasm due to cerebellopontine angle meningiomas: two case reports. Neurol Med Chir (Tokyo) 2001;41(2):87-89. doi:10.2176/nmc.41.87.",
    # The retrosigmoid corridor (viewer/surgical_anatomy.py, docs/clinical-reference.md section 11).
    "escalona-1991": "Cerebellar volume on MRI by systematic stereology, 37 volunteers aged 24-79: 112 +/- 16 ml (women 104, men 122). AJNR 1991;12(5):927 (authors unconfirmed).",
    "ujihara-2025": "Ujihara M, Kobayashi M, Sato M, Hirata S, Takabatake K, Fujimaki T. Medial extension of the flocculus and REZ visibility in MVD for HFS (65 patients; flocculus 0.37 vs 0.41 ml). Neurosurg Rev 2025;48:578. doi:10.1007/s10143-025-03734-4.",
    "bochdalek-2012": "Bochdalek's flower basket: applied neuroimaging morphometry and variants of choroid plexus in the cerebellopontine angles (200 patients; extension 23.6 mm, cornucopia width 3.5 mm). Neuroradiology 2012;54(12):1341-6. doi:10.1007/s00234-012-1065-1 (authors unconfirmed).",
    "jtn-2024-mrv": "Intracranial magnetic resonance venography in healthy individuals: normal anatomy and variations of the cerebral venous system (58 volunteers; left transverse sinus 5.37 +/- 1.35 mm). J Transl Neurosci 2024;9(1):15-25. doi:10.3868/j.issn.2096-0689.2024.01.003 (authors unconfirmed).",
    "idowu-2004": "Idowu OE. The jugular foramen - a morphometric study. Folia Morphol 2004;63(4):419-422 (40 foramina; left width 9.57 mm, length 14.11 mm).",
    "amagasaki-2017": "Amagasaki K, et al. Lower cranial nerve palsy after the infrafloccular approach in microvascular decompression for hemifacial spasm. Surg Neurol Int 2017;8:67. doi:10.4103/sni.sni_8_17 (the craniotomy area 4.21 +/- 1.21 cm2 is quoted from a secondary summary, unconfirmed).",
    "neurosurgery-directory-mvd": "Microvascular decompression for hemifacial spasm. neurosurgery.directory, 2022 (secondary: gentle medial traction on the cerebellum, < 1 cm recommended; primary source unconfirmed).",
    "lee-2015-retraction": "Lee MH, Lee HS, Jee TK, Jo KI, Kong DS, Lee JA, Park K. Cerebellar retraction and hearing loss after microvascular decompression for hemifacial spasm. Acta Neurochir 2015;157(2):337-43 (1518 patients; median retraction distance 13.77 mm in the hearing-loss group).",
    # MVD rehearsal: Teflon pads and transposition (viewer/decompression.py, docs/clinical-reference.md section 12).
    # Abstracts and bibliographic records read through PubMed and publisher pages; what each says is in section 12.
    "dou-2016": "Dou NN, Zhong J, Liu MX, Xia L, Sun H, Li B, Li ST. Teflon might be a factor accounting for a failed microvascular decompression in hemifacial spasm: a technical note. Stereotact Funct Neurosurg 2016;94(3):154-158. doi:10.1159/000446192 (PMID 27251374; 685 HFS patients, 31 early repeat MVDs: failure attributed to the Teflon in 74.2 %, from improper placement 47.8 %, inappropriate size 34.8 %, unsuitable shape 17.4 %).",
    "seaman-2020": "Seaman SC, Noeller J, Nourski K, Hitchon PW. Case report of recurrent hemifacial spasm attributed to over-impaction with Teflon sponge. Surg Neurol Int 2020;11:110. doi:10.25259/SNI_95_2020 (pledgets displacing the VII-VIII complex; spasm free after their removal).",
    "teflon-granuloma-2017": "Teflon granuloma after microvascular decompression for hemifacial spasm: a case report and literature review. Neurosurg Rev 2017;40(3):513-516. doi:10.1007/s10143-017-0865-5 (PMID 28534142; a granuloma 4 years after MVD; authors unconfirmed).",
    "deep-teflon-granuloma": "Deep NL, Graffeo CS, Copeland WR, Link MJ, Atkinson JL, Neff BA, Raghunathan A, Carlson ML. Teflon granulomas mimicking cerebellopontine angle tumors following microvascular decompression (two patients, 4 and 11 years after MVD for HFS, and a systematic review; journal and year unconfirmed, Mayo Clinic record).",
    "megerian-1995": "Megerian CA, et al. Teflon granuloma presenting as an enlarging, gadolinium enhancing, posterior fossa mass with progressive hearing loss following microvascular decompression. Am J Otol 1995;16(6):783-786 (3 years after MVD for HFS).",
    "teflon-adhesion-2000": "Recurrent trigeminal neuralgia after microvascular decompression using an interposing technique: Teflon felt adhesion and the sling retraction technique. 2000 (82 patients, 14 recurrences; Teflon felt adhered to the nerve in all 6 reoperated; authors and journal unconfirmed).",
    "lee-2016-sling": "Lee, Park, Ahn. Bioglue-coated Teflon sling technique in microvascular decompression for hemifacial spasm involving the vertebral artery. J Korean Neurosurg Soc 2016;59(5) (PMC5028612; 42 patients, the VA slung to the petrosal dura; another artery was the compressing one in every case: PICA 23, AICA 11; initials unconfirmed).",
    "wedge-2019": "Wedge-technique for transposition of the vertebral artery in microvascular decompression for hemifacial spasm: technical nuances and surgical outcomes. Acta Neurochir 2019. doi:10.1007/s00701-018-03793-1 (Tokai University; 18 patients; the Teflon wedges kept off the root exit zone; authors unconfirmed).",
    "redo-tn-2021": "Causes of failure and recurrence after microvascular decompression for trigeminal neuralgia and the results of redo surgery (63 redo operations; prosthesis-related in 25, 40 %). Springer-Verlag Austria 2021 (PMID 34232394; journal and authors unconfirmed): Teflon contact onto the nerve root should be avoided.",
    "ravina-2019": "Ravina K, Strickland BA, Rennert RC, Bakhsheshian J, Russin JJ, Giannotta SL. Revision microvascular decompression for trigeminal neuralgia and hemifacial spasm: factors associated with surgical failure. J Neurol Surg B Skull Base 2019;80(1):31-39. doi:10.1055/s-0038-1661348 (17 revisions; malposition or slippage of Teflon in 3, insufficient Teflon in 1).",
    "project-defaults": "HFS Compression Viewer operational definitions (docs/clinical-reference.md sections 6-7): thresholds chosen by the project where published grading is visual.",
}


def cite(key: str) -> str:
    return BIBLIOGRAPHY[key]
