"""A hand-built thesaurus of supported-employment practice, as data.

Each concept names a practice and lists phrases that express it, both in the formal wording of
standards ("prompting and fading techniques") and in the everyday wording of evidence ("stepped
back", "least intrusive prompt"). The engine stems the phrases and tags any text in which one occurs
with the concept, on the criterion side and the evidence side alike, so a criterion and a piece of
evidence meet on the concept even when they share no word.

Phrases are matched as contiguous runs of stemmed words, so "circle of support" also matches
"circles of support". Keep phrases specific: a concept made of everyday words ("team", "review")
fires on any office memo.

The table below is one concept per entry: ``name: phrase; phrase; ...``, continued on indented
lines. A leading ``~`` marks a weak concept: generic practice that counts, but at half weight. The
``_domain`` entry is not a concept: it lists markers of evidence about supported employment at
all (people supported, their conditions, the service); text with few of them is probably not
evidence of the practice (an office memo, a timesheet).
"""

from __future__ import annotations

THESAURUS = """
_domain: job seeker; job seekers; jobseeker; jobseekers; job coach; job coaches; job coaching;
    supported employment; disability; disabilities; disabled; learning disability; autism;
    autistic; mental health; wheelchair; deaf; bsl; sight impaired; blind; dyslexic; dyslexia;
    brain injury; down's syndrome; cerebral palsy; epilepsy; ptsd; depression; anxiety; anxious;
    person-centred; vocational profile; vocational profiling; work trial; taster; in-work support;
    access to work; better-off calculation; universal credit; benefits; job match; caseload;
    employment adviser; employment support; supported internship; care manager; social worker;
    social care; day centre; family; parents; carers; prompts; natural supports;
    reasonable adjustments; job analysis; task analysis; placement; paid work; his job; her job;
    new job; in work; into work; job offer; offered the job; job seeker's; his manager;
    her manager; his supervisor; her supervisor; recovery; learning difficulties; condition;
    diagnosis; equality act; circle of support; interview; cv; reflect; reflection; reflective;
    supervision; cpd
_not: promote the; promote a; promote social; promote natural; promote positive; to promote;
    proactively promote; promoting the; guidance required; as applied to; welfare benefits;
    welfare benefit; welfare and job-related; welfare rights; prior to; achievable realistic;
    realistic and time; steps and actions; work routines; commitment to improving;
    benefit from; benefits of this; benefits and issues; benefits to employers; business benefits;
    interested parties; interest and engagement; interests them; productivity quality;
    communities of practice; choice and control; mentoring and management; mentor and manage;
    reflects their; develop own competence; objective feedback; to target;
    barriers for employers; barriers to employing; feedback data
code_of_conduct: code of conduct; codes of ethics; code of ethics; conduct standards;
    professional boundaries; our policy; organisation's policy; gifts;
    guidance required by own organisation; codes of practice; code of practice
place_and_train: place and train; job ready; not ready; ready for work; pre-vocational;
    learn the job on site; judged ready; training room; day centre; day centres
zero_rejection: zero rejection; screened out; screen out; turn people away; turned away;
    too disabled; unemployable; everyone can work; anyone who wants to work; not job ready
respect_choice: non-judgementally; non-judgemental; non judgemental; non-judgmentally; judgement;
    respect individuals informed views; rights to chose; right to choose; her choice; his choice;
    their choice; own choice; whose idea; what she wanted; what he wanted; her decision;
    his decision; their decision; career aspirations; respected
assumptions: assumptions; assumption; assumed; low expectations; unrealistic; not realistic; steered; steering;
    steer; written off; labelled; underestimated; challenge own and others; protecting her;
    protecting him
prejudice: prejudice; stereotypes; stereotype; stereotyped; discrimination; discriminate;
    oppressive; stigma; unethical; disagreed; challenged; challenging; his background;
    her background; convictions; unfair
impartial: impartiality; impartial; balanced information; without pushing; don't steer;
    options including; signpost; unbiased
autonomy: autonomy; own decisions; make their own decisions; self-determination;
    self determination; self-advocacy; decide for himself; decide for herself;
    responsibility in implementing; own it; own applications; owns the decision;
    person-centred thinking; positive risk; positive risks; in control; she decided; he decided;
    chose to; his idea; her idea
inclusion_diversity: social inclusion; inclusive; inclusivity; inclusion; diversity; diverse;
    equality of opportunity; equal opportunities; under-represented; hard to reach; ethnicity;
    minority; bme; community languages
~safeguarding: safeguarding; safeguard; keep individuals safe; keep her safe; keep him safe;
    keep people safe; financial abuse; abuse; exploitation; exploited; vulnerable;
    at risk of harm; harm; safety; safe; designated safeguarding lead; adult social care;
    crisis team
own_values_reflection: own values; my values; my own values; my attitude; my attitudes;
    values behaviours attitudes; values and attitudes; impact of own values; unconsciously;
    my reaction; pride myself; uncomfortable; my assumptions
records_needs: records; information may be available; case notes; ehc plan; care plan;
    support plan; previous reports; progress reports; progress reviews; reports;
    needs wishes and preferences; wishes; occupational therapy report; college reviews;
    referral form; access and use information
legislation_records: data protection; gdpr; care act; confidentiality; confidential; legal duty;
    legislation; recording; recorded; reporting; accessing records; share information;
    information sharing; health and safety at work act; legal and organisational requirements
equality_law: equality act; equality legislation; employment law; working time regulations;
    european; eu directive; protected characteristics; indirect discrimination;
    direct discrimination; duty to make reasonable adjustments; equality;
    pre-offer health questions
~risk_management: manage risks; risk; risks; hazard; hazards; control measure; controls;
    positive risk-taking; risk-averse; minimised; ppe
employer_customer: employer as a customer; employer as customer; customer; business needs;
    their business; their problem; their issues; employer's requirements;
    requirements that need to be satisfied; worse off; output; meet business needs
labour_market: labour market intelligence; market intelligence; labour market; lmi; ons;
    statistics; economic development; claimant count; shortage occupations; vacancy data;
    trend data; sources of labour market; figures
~business_stats: nature of businesses; businesses; by sector; sectors; industry;
    employing sectors; growing fastest; local regional and national; regional
business_case: business case; turnover; retention; recruitment costs; wider pool; reputation;
    social value; disability confident; benefits to employers; stay longer; lower turnover;
    absence
employer_contact: initial contact; first contact; make contact; rang round; phoned; cold call;
    speculative; approached; approach employers; employer visits; employer engagement;
    engage employers; warm contacts; new contact; contact with employers
employer_concerns: concerns; perceived barriers; worries; worried; fear; insurance;
    supervisor time; hesitant; overcome perceived; barriers to employing
employer_commitment: employer's commitment; commitment to engage; commit to; committed to taking;
    agreed to take; secure the employer; ring-fence; ring-fenced; signed up;
    engage in the supported employment process
job_carving: customising jobs; customised employment; customising; job carving; carving; carved;
    carve; create a role; new role; design jobs; develop or design jobs; built around;
    maintain productivity; productivity
reasonable_adjustments: reasonable adjustments; reasonable adjustment; adjustments; adjustment;
    adapted; questions in advance; working interview; adjusted hours; fixed shift; ear defenders
awareness_training: awareness training; awareness session; disability awareness; deaf awareness;
    briefed; briefing; training for managers; explained to the team; advice and awareness training
sick_employees: become sick; sick; sickness; occupational health; phased return; stressed; stress;
    fit note; redeployment; return to work; keep in touch during absence
~org_culture_inclusion: organisational culture; inclusive culture; embrace diversity;
    staff networks; senior sponsor; culture
key_employers: key employers; large employers; major employers; employer list;
    interest and engagement; our relationship
community_outreach: local services and communities; communities; community; outreach;
    referral routes; referral route; referrals; day services; community groups; community centre;
    mental health team; recovery college; drop-in; voluntary sector; local services;
    may benefit from or aspire; leaving college
accessible_info: accessible information; accessible; easy read; easy-read; large print; pictures;
    picture; bsl; plain english; plain words; plain terms; audio; screen-reader-friendly; format;
    formats; visuals; interpreter; media; bar chart; informed decision; informed decisions;
    informed choice; informed job decisions
better_off: better-off calculation; better-off calculations; better off calculation; better off;
    better-off; benefits check; benefit check; universal credit; welfare benefits; benefits; uc;
    housing element; work allowance; tax credits; income from working; take-home pay; earnings;
    lcwra; financial benefits; impact on their finances; welfare rights
cv_interview: curriculum vitae; cv; cvs; interview; interviews; mock interview;
    working interviews; application form; applications; one-page profile;
    present the person's strengths; strengths; present a person positively; good job match
~families: families; family; parents; mum; dad; carers; sister; brother; cousin; family carers;
    house manager; church
circles_of_support: circles of support; circle of support; networks; partnerships; partners;
    circle; relationship circles; network
family_concerns: concerns of families; concerned; worries; worried; fears; reassure;
    reassured; overcome those fears; losing his benefits; losing her benefits; taken advantage of
advocacy: advocate; advocacy; argue his case; argue her case; argued; speak up; on his behalf;
    on her behalf; on behalf of; pointed out; put forward
work_trial: work trials; work trial; trial; trial shift; success criteria; criteria;
    working interview; taster day
vocational_profile: vocational profiling; vocational profile; profile; getting to know;
    talents and employment preferences; talents; preferences; interests; ideal job;
    skills and strengths; job ideas; about me; likes
consent_info_others: with their consent; consent; permission; with his agreement;
    with her agreement; consent form; third party; other interested parties; colleagues and other;
    previous employers; teachers; tutor; contact them
co_production: co-production; co-produce; co-produced; coproduction; own words; her own words;
    his own words; in their words; present the information; ownership; their plan
social_benefits: social benefits; financial and social benefits; getting out; meeting people;
    feeling useful; role model; adult company; routine; benefits of work
personal_barriers: childcare; housing; debt; arrears; nursery; rent; personal financial housing;
    barriers; lone parent; debts; travel; bus; transport; homeless; hostel
work_experience: short term work experiences; work experiences; work experience; taster; tasters;
    work placement; volunteering; short placement; trial shift; host; hosts; other activity
support_strategies: support strategies; specific support strategies; technologies; technology;
    what helps; noise-cancelling headphones; headphones; checklist; written checklist;
    written lists; ear defenders; screen reader; app; gradual start; quiet place
evaluate_experience: evaluate; evaluation; evaluate with the job seeker; what was easy;
    what was hard; implications for employment
person_centred_planning: person-centred employment planning; person-centred planning;
    person centred planning; planning session; planning sessions; planning meeting; path; maps;
    north star; who to invite; contribute to discussions; led by
family_involvement_planning: active involvement of family; involvement of family friends;
    family friends; friends; planning decision making job finding
choice_control: choice and control; in control; her choice; his choice; felt like; ruled out;
    she chose; he chose
target_employers: which employers to target; employers to target; employers to approach;
    which employers; list of employers; target employers; approach employers
smart_plan: smart; specific measurable; time bound; action plan; actions; who does what; by date;
    measurable; achievable
plan_review: review plans; plan review; plan updated; agreed plan; actions done; next review;
    review date; review meeting; agree and review plans; reviews; hold down a job
social_inclusion_work: socially included; social side; social club; eat together; work friends;
    staff social; social events; christmas meal; canteen; join in; staff meal; part of the team;
    fitting in; fit in; social life
~employer_culture: characteristics and culture; culture of local employers; social cultures;
    culture; informal; structured; owner-led; local employers; employer type
vacancies: vacancies; vacancy; unadvertised; never advertised; job boards; openings; opening;
    upcoming vacancies; seasonal recruitment; source current and potential; job opportunities;
    advertised
job_analysis: job analyses; job analysis; shadowing; shadowed; shadow; tasks in order; main tasks;
    nature of prospective employment; standards expected; did the job
~employer_standards: productivity quality and professional standards; standards expected;
    expectations; expects; rules; uniform; hygiene; dress; pick rates; quality; targets;
    codes of conduct
~recruitment_support: recruitment and selection; recruitment; selection; application; panel;
    online form; online application; hr; interview questions; probation; induction
adapt_job_specs: job specifications; job specification; job description; person specification;
    person spec; role description; job requirements; requirements of the job; essential criteria;
    desirable criteria; taken out; non-essential; dropping; removed the requirement;
    standards and requirements may need to be adapted; qualification; driving licence
coworker_culture: co-workers; coworkers; methods and culture; banter; unwritten rules;
    informal leaders; observing co-workers; tea break; lunch break; break times; break room
risk_assessment: risk assessment; risk assessments; risks assessments; health and safety;
    individual risk assessment; hazards; controls; peep; seizure; first aiders; safe working;
    fire; evacuation; wellbeing
natural_supports: natural supports; natural support; natural support mechanisms; buddy;
    go-to person; named buddy; named person; mentor; co-worker support; supervisor checks;
    natural cues; colleague to train; volunteer; volunteers
~coworker_support: positive support with co-workers; positive support;
    co-workers colleagues and managers; spoke to the team; briefing; team briefing; on board;
    explained to the team
~job_matching: job match; job matching; match; matching; matched; compare the job analysis
resource_needs: financial and human resources; human resource; resources; support worker;
    job coach hours; hours of job coaching; job coaching hours; hours a week; intensive systematic instruction;
    systematic instruction; support plan; costs; what support
~assistive_tech: assistive technology; contemporary tools; tools models; screen reader;
    screen reading; app; apps; tablet; voice typing; software; visual aid; picture checklist;
    checklist; technology; phone; magnification; hand-held; devices
task_analysis: task analysis; task analyses; break down; broke down; steps; step;
    sequence of steps; constituent parts; key work routines; every step; chaining
prompting_fading: prompting and fading; prompting; prompt; prompts; fading; fade; faded; fades;
    gesture; gestural; verbal prompt; verbal prompts; modelled; modelling; demonstrates;
    demonstration; stepped back; least intrusive; least-to-most; systematic instruction;
    errorless; unnecessary dependence; dependence; reducing support; support reducing;
    coach new recruits
~progress_data: feedback data; data; data sheet; prompt record; prompt records; prompt level;
    baseline; tally; tracked; tracking; record sheet; progress; not improving;
    not making progress; chart; independent achievement; independence; independently;
    levels of independence; monitored; monitoring
~performance_options: options for performance improvement; performance improvement;
    options agreed; different method; swapping
reinforcement: reinforcement; praise; rewards; naturally occurring rewards; reward; motivational;
    thank; thanks; wages; motivation
behaviour: behavioural problems; behavioural; his behaviour; her behaviour; their behaviour;
    behaviour at work; behaviour problems; challenging behaviour; incident; incidents; shouted;
    disciplinary; outburst; aggressive; conflict; time out; meltdown
~personal_issues: interventions in and outside work; outside work; personal issues;
    employment-related and personal issues; getting to work; debt; housing; childcare; bus;
    travel; debt management; money; personal problems; working with colleagues
referral: refer; referred; referral; referring; signposted; specialist; specialists; debt advice;
    welfare rights; gp; crisis line; citizens advice; outside own competence; not qualified;
    additional sources of support; options for further referral; talking therapies
funding: sources of funding; funding; funded; access to work; grant; flexible support fund; dwp;
    government funding; programmes; self-employment; fund
~funding_application: applying for funding; application; apply; applied; applying;
    online application; quotes; assessor's call
career_progression: career progression; career; progression; promotion; apprenticeship;
    apprenticeships; national careers service; qualification; level 2; progression routes;
    career development
~coaching: coaching; coach; techniques for coaching; supporting learning; task teaching; teaching;
    learning outside
reflection: critically reflect; reflect; reflection; reflective; reflecting; gibbs; driscoll;
    kolb; schon; looking back; what went wrong; i have learned; i've learned; i've learnt;
    i learned; models tools and techniques of reflection; what so what now what; now what; so what
competence_boundaries: boundaries of own competence; own competence; competence; boundaries;
    not qualified; where my role ends; role stops; out of my depth; limits; other professionals
seek_feedback: seek feedback; feedback; questionnaire; survey; feedback form; honest comments;
    objective feedback; comments afterwards
~supervision_guidance: professional guidance; supervision; supervisor; supervised; line manager;
    guidance; mentor; manager suggested; supervisor suggested
keep_knowledge_current: keep own knowledge; knowledge current; up to date; out of date;
    update own knowledge; reading; newsletter; research; base; conference; conferences;
    training course; webinar; latest; knowledge of supported employment
development_priorities: development priorities; priorities; priority; appraisal; objectives;
    objective; prioritising; focus on
~cpd_plan: continuous professional development plan; continuing professional development;
    professional development plan; cpd plan; cpd; development plan; my plan; learning system
~record_cpd: record the outcomes; log; logged; learning system; certificates
communities_of_practice: communities of practice; community of practice; peer; network; networks;
    case clinic; forum; base; ips community; online groups; regional network
autonomy: let him choose; let her choose; let them choose; let him decide; let her decide;
    up to him; up to her; his call; her call; his own decision; her own decision;
    their own decision; make his own; make her own; took responsibility; take responsibility;
    did it himself; did it herself; sorted it himself; sorted it herself; his own plan;
    her own plan; he chose; she chose
competence_boundaries: outside my expertise; beyond my role; not my role; outside my role;
    my role; remit; beyond my remit; outside my remit; not my area; not an expert; my limits;
    not trained; not trained in; specialist knowledge; out of his depth; role stops; role ends;
    who does what
referral: put him in touch; put her in touch; put them in touch; passed on; signposting;
    referral to; specialist team; specialist help; crisis team; community mental health team;
    cmht; care coordinator; advice service; debt charity; money advice; housing officer;
    occupational therapist; counselling; counsellor
reflection: on reflection; next time i would; next time i will; do differently;
    would do differently; i realised; i realized; i've realised; made me realise; made me think;
    learning point; lessons learned; lesson; hindsight; in hindsight; i noticed that i
safeguarding: safeguarding lead; safeguarding policy; safe at work; safe on the way; keep safe;
    healthy; wellbeing; at risk; duty of care; welfare
code_of_conduct: our procedure; the procedure; org procedure; organisational procedure;
    followed procedure; followed the procedure; in line with our; lone working;
    professional conduct; ethical; ethics; confidentiality agreement
development_priorities: training needs; development needs; learning needs; first priority;
    agreed to prioritise; prioritise; development goals; development objectives
supervision_guidance: team leader; my manager; in supervision; 1:1; one-to-one;
    clinical supervision; peer supervision; practice lead
performance_options: not making progress; stalled; plateau; plateaued; different approach;
    changed the approach; tried a different; swapped; options; improve his performance;
    improve her performance; improvement plan
career_progression: more hours; next step; longer term; long-term goal; move up; step up;
    promoted; career plan; career goals; training opportunities; further training;
    aspirations for the future
personal_issues: payday lender; payday loan; loan; bills; landlord; eviction; bus route; bus pass;
    travel training; rota; shift pattern; late for work; getting up; alarm;
    caring responsibilities
personal_barriers: childminder; after-school club; loan; bills; landlord; eviction; council tax;
    bus pass; travel training; caring responsibilities
better_off: benefit entitlement; entitlement; esa; pip; jsa; council tax; housing benefit;
    payslip; wage; hourly rate; minimum wage; hours a week; income; in-work benefits;
    permitted work; benefits adviser
social_benefits: confidence; self-esteem; friendships; make friends; structure to the day;
    structure to his day; structure to her day; sense of purpose;
    feel valued; out of the house; getting out of the house
records_needs: referral information; his file; her file; the file; notes from; assessment report;
    previous provider; school report; college report; education health and care plan; gp letter;
    medical report; risk assessment from; information from
job_carving: tailored role; bespoke role; rewritten; reshaped; redesigned; took over tasks;
    freed up; free up; frees up; restructured; split the tasks; tasks that other staff
employer_customer: what the employer needs; employer's needs; the employer needed;
    meet their needs; their needs as a business; staff shortages; recruitment problems;
    good service to employers
person_centred_planning: planning meeting; his meeting; her meeting; invited; who she wanted;
    who he wanted; flipchart; graphic; her plan; his plan; one-page profile
choice_control: she decided; he decided; his decision; her decision; she wanted; he wanted;
    on her terms; on his terms; at her pace; at his pace; her own pace; his own pace; final say
equality_law: equality act 2010; disability discrimination; employment rights; minimum wage; acas;
    employment tribunal; access to work; equal access; discrimination law
org_culture_inclusion: staff network; inclusive recruitment; disability confident;
    diversity policy; inclusion policy; champion; senior leaders; leadership; hr policies;
    equality policy
risk_assessment: safe system of work; manual handling; coshh; first aid; personal evacuation;
    risk assessed; risk-assessed; hazard
legislation_records: report to; reported to; reporting to; informed my manager; informed the;
    let my manager know; escalated
keep_knowledge_current: read up; reading about; training day; workshop; e-learning; online course;
    new guidance; changes to the law; changes in practice; changing practice; keep up; keep up to date; latest guidance
seek_feedback: asked for feedback; ask for feedback; feedback from; observe me; observed me;
    watch me; honest feedback; comments from
cpd_plan: update my plan; updated my plan; add to my plan; added to my plan;
    personal development plan; pdp; training plan
record_cpd: cpd log; cpd record; training record; recorded it; reflective log; certificate;
    evidence folder
code_of_conduct: professional code; our code; staff handbook; policies and procedures;
    in line with policy; against policy; gifts policy; accept a gift; declined the gift;
    social media policy; friend request; personal phone number; conflict of interest;
    dual relationship; professional standards; adhere to
respect_choice: respected his wishes; respected her wishes; his wishes; her wishes;
    without judging; not judging; didn't judge; without judgement; her aspirations;
    his aspirations; dream job; ambition; ambitions; open mind; his right; her right
assumptions: can't do; couldn't cope; wouldn't cope; won't cope; aim higher; aim low;
    expectations of; high expectations; capable of; more capable; doubted; not suitable for;
    unsuitable; pigeonholed; pigeon-holed; employment choices
prejudice: discriminatory; unacceptable; inappropriate comment; inappropriate language; offensive;
    derogatory; called out; unconscious bias; bias; biased; racist; racism; sexist; homophobic;
    ableist; ableism; harassment; bullying; bullied; whistleblowing; social exclusion
zero_rejection: no one is excluded; nobody is turned away; regardless of; no eligibility criteria;
    without screening; everyone who wants; anyone who wants a job; open to all;
    presumption of employability; no one is unemployable
employer_customer: dual customer; two customers; both customers; service to the employer;
    employer's perspective; what's in it for them; bottom line; reliable service;
    employer satisfaction; meet the employer's needs; employer as a client
impartial: pros and cons; all the options; range of options; both sides; without bias; neutral;
    objective information; my own opinion; not my place; didn't push; weigh up; impartial advice
autonomy: self-advocacy; supported decision making; supported decision-making; make choices;
    choice-making; own goals; set own goals; self-directed; personal budget;
    speak for himself; speak for herself; methods of self-determination
inclusion_diversity: inclusive workplace; equal treatment; under-represented groups; bame;
    ethnic minority; older workers; lgbt; faith; religion; promote inclusion
safeguarding: safeguarding concern; safeguarding referral; raised a concern; mental capacity;
    mate crime; cuckooing; financial exploitation; coercion; neglect; self-neglect; self-harm;
    suicidal; risk of harm; travel safety; online safety; scam; scams
legislation_records: data protection act; consent to share; need to know; locked cabinet;
    password protected; encrypted; subject access; retention; data breach; incident report;
    riddor; accident book; care act 2014; mental capacity act; human rights act;
    accessing records
risk_management: mitigate; mitigation; reduce the risk; likelihood; contingency; plan b;
    risk management plan; ways to manage risks
labour_market: nomis; local enterprise partnership; lep; growth sectors; skills shortages;
    labour market information; local labour market; employment trends;
    office for national statistics; job postings data
business_stats: business counts; number of businesses; business size; small businesses; smes; sme;
    micro businesses; business register; companies house; sector breakdown;
    employment by sector; business directory; nature of businesses
business_case: benefits to the business; loyal; loyalty; attendance; lower absence; staff morale;
    customer base; reflect their customers; cost savings; untapped talent; talent pool;
    corporate social responsibility; csr; business case for a diverse workforce
employer_contact: cold calling; cold-called; walked in; dropped in; introduced myself;
    introductory; networking event; business breakfast; linkedin; pitched; pitch;
    marketing materials; leaflet; engages and interests them
employer_commitment: agreed to offer; agreed to host; agreed to interview; said yes;
    memorandum; partnership agreement; service agreement; buy-in; commitment from;
    agreed next steps; employer's commitment to engage
job_carving: carved out; customised job; job creation; job redesign; redesign;
    bundle of tasks; without losing output; maintain productivity
reasonable_adjustments: flexible hours; flexible working; extra time; quiet room; rest breaks;
    written instructions; visual instructions; modified; altered; adaptations; adaptation;
    specialist equipment; guaranteed interview; interview adjustments; adjustments to the interview
equality_law: unlawful; lawful; legal obligation; health questions; section 60; tribunal;
    working time; national minimum wage; national living wage; employment contract;
    holiday pay; sick pay; statutory; equality and employment law
key_employers: anchor employers; big employers; major local employers; nhs trust;
    employers we work with; employer partners; employer database; employer forum
awareness_training: autism awareness; mental health awareness; mental health first aid;
    training for staff; staff training; toolbox talk; session for the team; awareness
sick_employees: absence management; sickness absence; sickness policy; long-term sick;
    signed off; off sick; return-to-work interview; wellness action plan;
    employee assistance programme; vocational rehabilitation; job retention;
    keep his job; keep her job; stay in work
accessible_info: symbols; widgit; photos; photographs; video; videos; simple language;
    short sentences; read it together; read aloud; braille; colour coded; accessible version;
    easy-read version; visual; types of accessible information
cv_writing: curriculum vitae; cv; cvs; personal statement; work history; visual cv; video cv;
    picture cv; one-page cv; covering letter; cover letter;
    write a curriculum vitae
interview_prep: prepare for interviews; prepare individuals for interviews;
    prepare job seekers for interviews; present a person positively; interview practice;
    practice interview; mock interview; role play; role-played; rehearse; rehearsed;
    interview questions; what to wear; interview skills; sell himself; sell herself;
    selling points; present the person's strengths; introduced him to the employer;
    introduced her to the employer
aspirations_influence: influence job seekers; who can influence; raise aspirations;
    raising aspirations; higher aspirations; aspiration to work; influential;
    believe he could; believe she could; believed in him; believed in her
circles_of_support: circle of friends; peer support; support network; network of support;
    people around him; people around her; relationship map
family_concerns: lose his benefits; lose her benefits; losing benefits; overprotective;
    over-protective; protective; worry about; worried about; afraid; scared; reassurance;
    linking rules; fall back
advocacy: stood up for; spoke up for; made the case; represent; represented; argued for;
    pushed for; on their behalf
work_trial: trial period; unpaid trial; job trial; try out; try the job; trial day; trial week;
    establishing work trials
trial_criteria: success criteria; criteria for success; what success looks like; measure success;
    measures of success; success measures; agreed criteria; measure the success of work trials;
    criteria against which to measure
vocational_profile: discovery; discovery process; profiling; what he enjoys; what she enjoys;
    hobbies; good at; what matters to; dislikes; home visit; work preferences
consent_info_others: without consent; consent first; signed consent; previous employer;
    college tutor; speech and language therapist; key worker; get the consent
benefits_sources: sources of information about welfare; entitledto; turn2us; benefits calculator;
    online calculator; work coach; benefits advice; welfare rights adviser; citizens advice;
    award letter; universal credit journal; uc journal; dwp letter; benefits information
benefits_calc: calculate the financial; calculated; calculation; compare them with not working;
    comparison; net income; disregard; taper; taper rate; deducted; better off in work;
    worse off
social_benefits: social contact; feeling part of; self-worth; pride; proud; meet new people;
    new friends; something to get up for; identity
co_production: together we; wrote it together; co-wrote; co-designed; his profile; her profile;
    read back; went through it with; agreed the profile; checked it was right; corrected
support_strategies: specialist advice; sensory assessment; access to work assessment;
    where to seek further advice; national autistic society; rnib; rnid
person_centred_planning: person-centred plan; pcp; path plan; mapping; she chaired; he chaired;
    ran the meeting; planning day; who to involve; others they choose to involve
family_involvement_planning: involve her family; involve his family; family meeting;
    family members; her mum came; his mum came
job_suitability: suitability of the job; suitable job; right job; right fit; good fit; job fit;
    try it and see; see for himself; see for herself; decision-making; the job they get
target_employers: employers to contact; shortlist of employers; list of companies; target list;
    types of employer; which companies; kind of workplace; sectors to target
employer_culture: family-run; family business; chain; corporate; fast-paced; laid back;
    atmosphere; team culture; characteristics and social cultures
vacancies: hidden jobs; hidden vacancies; job search; recruitment agency; upcoming roles;
    store opening; expansion; vacancy list; speculative approach; potential vacancies
coworker_culture: how the team works; team dynamics; staff room; in-jokes; norms
report_risk: to whom to report; report the outcomes of risk assessment; shared the risk assessment;
    health and safety officer; health and safety lead; signed off by; copy to
employer_hs_duty: employer responsibilities; employer's duty; employer's responsibility;
    responsibilities as an employer; employer's liability; health and safety law;
    responsibilities for the health and safety of their employees; duty of care
advocacy_techniques: techniques used to advocate; negotiation; negotiating; negotiate with employers;
    persuade; persuaded; persuasion; assertive; assertively; win-win; compromise;
    solution-focused; framed it; rapport; influencing
resource_needs: support hours; hours of support; level of support; how much support; intensity;
    budget; cost of support; staffing; financial and human resource needs
coaching: on-the-job training; teaching strategies; learning styles; visual learner; repetition;
    practice sessions; techniques for coaching
behaviour: rude; swearing; swore; lateness; walked out; lost his temper; lost her temper;
    complaint; complaints; verbal warning; written warning; behaviour plan;
    behaviour support plan; triggers; trigger; de-escalate; de-escalation; calm down
social_inclusion_work: social skills; social training; small talk; conversation skills;
    social stories; social story; social training strategies
funding: access to work grant; disability employment adviser; work and health programme;
    wage subsidy; wage incentive; kickstart; european social fund; esf; lottery;
    new enterprise allowance; start-up loan; sources of funding
funding_application: application form; apply to access to work; helped him apply;
    helped her apply; claim form; submitted; invoices; applying for funding
career_progression: careers advice; career goals; got promoted; was promoted; been promoted;
    planning future career progression; sources of information on career progression
competence_boundaries: i'm not a; not my job; beyond my knowledge; outside my knowledge;
    not qualified to; wasn't qualified; right person to; not a clinician; not a therapist;
    not a counsellor; expertise; know my limits; knowing my limits; multi-agency;
    relationship with other professionals; clear understanding of own competence
supervision_guidance: sounding board; accountability; guidance from; purpose of professional guidance
improvement_models: models and techniques which could be used to improve own performance;
    swot; swot analysis; 360; action learning; grow model; fidelity review; fidelity scale;
    quality framework; peer observation; evidence-based; evidence based; best practice;
    self-assessment
dev_opportunities: opportunities available to support own professional; training opportunities;
    courses; course; secondment; funding for training; diploma; certificate in supported employment;
    level 3; shadowing opportunities; job shadowing
place_and_train: work readiness; readiness model; place then train; place-then-train;
    competitive employment first; training and support on the job; support on the job;
    train on the job; trained on the job; job search at the earliest opportunity;
    train and place
zero_rejection: everyone can work; the right job and the right support; right job and right support;
    assume successful employability; all options assume
inclusion_diversity: full inclusion; full and active members; socially and economically
prejudice: social model of disability; attitudinal barriers; societal devaluation;
    social role valorisation; valued social role; regarded as of less value
employer_customer: customer in their own right; customer of supported employment
career_progression: increased responsibility; time unlimited support; career satisfaction
circles_of_support: genuine partnership; community supports
own_development: responsibility for own professional; my own development; own my development;
    responsibility for my learning; take ownership of my
# Everyday practitioner wording, SE01-SE03: conduct, place-then-train, zero rejection,
# impartiality, labour market, employer engagement, outreach, aspiration, work trials
code_of_conduct: work phone; work mobile; personal mobile; my own car; lift in my car;
    gave him a lift; gave her a lift; friend on facebook; facebook; overfamiliar; over-familiar;
    dress code for staff; lone working policy; personal information about myself
place_and_train: individual placement and support; rapid job search; straight into work;
    straight into a job; learn on the job; learned on the job; learnt on the job; trained on site;
    train on site; another course; more courses; endless courses; real workplace
zero_rejection: desire to work; only requirement; only criterion; no exclusions;
    excluded from other services; refused by other services; turned down by other;
    not turned away; don't turn anyone away; self-referral; self-referred
impartial: my personal opinion; personal views; my own views; didn't give my opinion;
    not tell him what to do; not tell her what to do; all the information; facts and figures;
    advantages and disadvantages
labour_market: chamber of commerce; growth hub; lmi for all; job vacancy trends; in-demand jobs;
    in demand locally; local economy; regional economy; economic strategy; jobs growth;
    council's economic
business_case: free recruitment service; free service; no cost to the employer; at no cost;
    saves them money; positive publicity; good publicity; good pr; community reputation;
    reliable staff; dependable; reduced turnover; reduce turnover
employer_contact: spoke to the manager; asked to speak to the manager; asked for the manager;
    introduced the service; explained our service; explained the service; business card;
    door knocking; door to door; canvassing; walk-in; emailed the hr; follow-up call;
    employer meeting; met with the employer; met the employer
employer_concerns: what if he; what if she; what if it doesn't work; myths; myth; misconceptions;
    misconception; reassured the employer; reassured the manager; extra supervision;
    cost of adjustments; too much time; liability; put off; reluctant; wary; nervous about
community_outreach: jobcentre; job centre; jobcentre plus; day opportunities; special school;
    sixth form; transition team; transition review; jobs fair; careers fair; open day;
    information stall; gave a talk; gp surgery; housing association; probation service;
    job club; community hub; library; faith groups; support group
aspirations_influence: success stories; success story; inspire; inspired; inspiring;
    peer mentor; peer mentors; what he could achieve; what she could achieve; see himself working;
    see herself working; think about work; never thought
work_trial: agreed a trial; arranged a trial; negotiated a trial; two-week trial; two week trial;
    trial shifts; end of the trial; trial went
trial_criteria: what the employer would need to see; what they needed to see; agreed targets;
    review at the end; measured against; how we would know
advocacy: challenged the decision; second chance; gave him a chance;
    gave her a chance; give him a chance; give her a chance
# Everyday practitioner wording, SE04-SE05: profiling, benefits, tasters and their review,
# consent, planning, target employers, plan reviews, social inclusion
vocational_profile: vocational assessment; initial assessment; getting to know you; skills audit;
    skills checklist; interests checklist; career interests; typical day; good day; bad day;
    previous jobs; past jobs; jobs he has done; jobs she has done; what kind of work;
    type of work he; type of work she; community mapping; spent time with him; spent time with her
better_off: 16 hours; earnings limit; permitted earnings; change of circumstances;
    report his earnings; report her earnings; managed migration; move onto universal credit;
    sanction; sanctions; monthly budget; income and outgoings
work_experience: voluntary work; charity shop; work sampling; job sampling; work taster;
    job taster; taster session; taster sessions; few days at; day at the
evaluate_experience: debrief; debriefed; reviewed the placement; reviewed the taster;
    reviewed the work experience; after the placement; after the taster; what he didn't like;
    what she didn't like; what he found difficult; what she found difficult; found it hard;
    found it easy; talked through how; what it told us; ruled it out; ruled out
consent_info_others: spoke to his teacher; spoke to her teacher; spoke to his mum;
    spoke to her mum; his support worker; her support worker; with his permission;
    with her permission; agreed that i could; agreed i could contact; release of information
support_strategies: visual timetable; visual schedule; colour coding; reminders on his phone;
    reminders on her phone; job aids; pictorial; travel buddy; sensory needs
person_centred_planning: he invited; she invited; who he wanted there; who she wanted there;
    his dream; her dream; what's important to; important to him; important to her;
    important for him; important for her; what's working; what's not working
family_involvement_planning: family were involved; family was involved; involved his family;
    involved her family; family came to the meeting
target_employers: employers he wanted; employers she wanted; places he would like to work;
    places she would like to work; where he wanted to work; where she wanted to work;
    local shops; which shops; list of places; places to approach
smart_plan: smart targets; smart goals; smart actions; deadline; deadlines; target date;
    timescale; timescales; short-term goals; small steps; goal setting; action points
plan_review: action plan review; reviewed his plan; reviewed her plan; reviewed the plan;
    reviewed the action plan; progress review; updated the action plan; revisited the plan;
    plan was updated; monthly review; six-week review; review of his plan; review of her plan
social_inclusion_work: staff night out; night out; team lunch; lunch with colleagues;
    breaks with; sat with colleagues; chatted with colleagues; birthday; football team;
    works do; tea round
# Everyday practitioner wording, SE06-SE08: job analysis, co-worker and natural support,
# recruitment, standards, reinforcement, funding, progression, task analysis, fading, CPD
job_analysis: workplace assessment; workplace analysis; analysed the role; analysed the job;
    did the tasks myself; did the job myself; worked a shift; learned the job myself; job site;
    environmental analysis; looked at the tasks; observed the role; observed the job
coworker_support: introduced him to the team; introduced her to the team; met the team;
    talked to his colleagues; talked to her colleagues; explained his needs; explained her needs;
    colleagues understood; team were supportive
natural_supports: colleague showed; colleague helped;
    shift leader; team leader showed; supervisor agreed; checks in with him; checks in with her;
    fade my support; handed over to
recruitment_support: application process; helped him apply; helped her apply; online test;
    assessment centre; interview day; offer letter; pre-employment checks; dbs check; references
employer_standards: dress code; timekeeping; punctuality; break rules; phone policy;
    customer service standards; speed and accuracy; standard expected; up to standard
reinforcement: well done; positive feedback; encouraged him; encouraged her;
    celebrate; celebrated; first pay; first wage; first payslip; pay day; reward chart
funding: disability confident employer; flexible support fund; supported internship funding;
    council funding; local authority funding; charity funding; grant funding; travel costs;
    support worker funded; job coach funded
career_progression: more responsibility; extra hours; increase his hours; increase her hours;
    full time; full-time; college course; nvq; further qualification; next job
task_analysis: broke it down; broken down; break it down; step by step; step-by-step;
    task list; picture sequence; order of tasks
prompting_fading: hand over hand; hand-over-hand; physical prompt; visual prompt;
    reduced my presence; reduced my support; less support; moved away; stood back; stand back
improvement_models: reflective model; gibbs cycle; peer review; case review; observed practice
keep_knowledge_current: base conference; base website; read an article; podcast;
    research article; policy update; benefits update
development_priorities: agreed in supervision; agreed with my manager; my appraisal;
    development review
# Criterion-side fixes: block stem false friends in criterion wording (respective/respect,
# may wish/wish, new recruits/recruitment); sources of employers wanting a diverse workforce;
# local partners; job-match wording
_not: their respective needs; respective needs; who may wish to; may wish to; new recruits to learn;
    information from the vocational
employer_sources: employers who may wish to develop a diverse workforce; disability confident list;
    disability confident employers; disability confident scheme; signed up to disability confident;
    employer database; employer network; employers network; federation of small businesses;
    business network; business networks; inclusive employers; diversity charter
community_outreach: partner agencies; partner organisations; partner organization; local charities;
    voluntary organisations; third sector; development partners; local partners
job_matching: good fit; right fit; suited him; suited her; suits him; suits her;
    played to his strengths; played to her strengths; matched his; matched her; match him; match her
# Role names and 'challenging behaviour' are not the practices of coaching, supervision or
# challenging prejudice
_not: challenging behaviour; challenging behaviours; job coach; job coaches; his supervisor;
    her supervisor; their supervisor; his line manager; her line manager; their line manager
# More markers of supported-employment evidence (employer-side, instruction, conditions)
_domain: employer engagement; disability confident; labour market intelligence; systematic instruction;
    task analysis; job carving; travel training; natural support; supported internships;
    ips; individual placement and support; job retention; vocational rehabilitation;
    cognitive impairment; neurodivergent; neurodiverse; adhd; acquired brain injury
# Everyday wording of choice and control in person-centred practice
autonomy: asked him what he wanted; asked her what she wanted; asked them what they wanted;
    gave him the choice; gave her the choice; gave him options; gave her options;
    left the choice; left the decision; he took the lead; she took the lead; led the conversation
choice_control: right to say no; could say no; free to decline; turned down the offer;
    declined the offer; said no to; in charge of
respect_choice: person-centred approach; person centred approach; what mattered to him;
    what mattered to her; on his own terms; on her own terms; respected that
# Everyday practitioner wording, SE01: boundaries, job first, respect for choice, challenging low
# expectations and prejudice, taking everyone on, the employer's needs, neutrality, ownership
code_of_conduct: maintain boundaries; maintained boundaries; kept boundaries; appropriate boundaries;
    crossing boundaries; blur the boundaries; blurred boundaries; kept it professional;
    professional relationship; personal relationship; lend money; lent money; borrow money;
    box of chocolates; my home address; my personal number; as per policy; followed policy;
    lone worker; check-in call; signing in and out
place_and_train: job first; work first approach; rather than more training; instead of more training;
    wait until he was ready; wait until she was ready; waiting until he was ready;
    waiting until she was ready; until he is ready; until she is ready; real job; real jobs;
    real work; real wages; on-the-job support; learn in the workplace; learnt in the workplace;
    learned in the workplace; support in the job
respect_choice: not what i would have chosen; not what i would have; i had reservations;
    had my doubts; his views; her views; their views; always wanted to; wanted to be a
records_needs: read his notes; read her notes; referral paperwork; previous assessments;
    background information; pen picture; ehcp; communication passport; health action plan;
    hospital passport; transition plan
assumptions: wouldn't be able to; won't be able to; not capable; isn't capable; too much for him;
    too much for her; only suitable for; proved them wrong; proved everyone wrong;
    exceeded expectations; more than they expected; limited his options; limited her options;
    held back; cotton wool; see past; saw past; beyond his diagnosis; beyond her diagnosis;
    he could never; she could never
zero_rejection: accepted onto the service; accepted onto our service; accepted onto the programme;
    accepted onto our caseload; took him on; took her on; no one is too; nobody is too;
    too complex; complex needs; no one else would; told he couldn't work; told she couldn't work;
    told he would never; told she would never; rejected by other services; not eligible elsewhere
employer_customer: keep the employer happy; employer was happy; employer's point of view;
    peak times; busy periods; fill the vacancy; fill the role; fill the gap; hard-to-fill;
    hard to fill; support for the employer; aftercare; employer feedback; the manager's needs;
    productive for them
impartial: didn't influence; not to influence; without influencing; balanced view;
    honest information; good and bad; my personal preference; my own preference; not my decision;
    not my choice; her decision not mine; his decision not mine; own bias; leading questions;
    not leading
autonomy: made the call himself; made the call herself; rang the employer himself;
    rang the employer herself; phoned the employer himself; phoned the employer herself;
    emailed the employer himself; emailed the employer herself; took ownership; take ownership;
    his responsibility; her responsibility; followed through; follow through; completed his actions;
    completed her actions; rather than me doing it; instead of me doing it; didn't do it for him;
    didn't do it for her; not do it for him; not do it for her; doing it for him; doing it for her
inclusion_diversity: equal chance; level playing field; refugee; refugees; asylum; esol; ex-offender;
    ex-offenders; care leaver; care leavers; culturally; cultural needs; religious; prayer; ramadan;
    halal; pronouns
prejudice: comment about his; comment about her; remark about; remarks about; joke about;
    jokes about; people like him; people like her; people like that; those people;
    treated differently; left out; name-calling; name calling; mocked; laughing at; laughed at;
    not acceptable; wasn't acceptable
safeguarding: bruise; bruises; bruising; money taken; borrowing money; unsafe; travel plan;
    emergency contact; hate crime; grooming; domestic violence; police
own_values_reflection: my own bias; my biases; my own prejudice; my own judgement; i had assumed;
    i assumed; caught myself; i was wrong; challenged myself; my beliefs; my own beliefs;
    my upbringing; personal values; ethical dilemma; dilemma; my first reaction; first reaction; initial reaction; my instinct; my first instinct;
    i was tempted; tempted to
# Everyday practitioner wording, SE05: who comes to planning, family and friends in job finding,
# pace and pressure, benefits being assessed, reviewing the plan and its deadlines
person_centred_planning: chose who; who to bring; where he felt comfortable; where she felt comfortable;
    chose the venue; everyone had a say; had his say; had her say; sticky notes; post-it notes;
    post-its; person-centred review; person centred review; planning tool
family_involvement_planning: his mum came; her mum came; his parents came; her parents came;
    parents attended; mum attended; dad attended; family attended; family suggested; mum suggested;
    dad suggested; through a family friend; family contacts; family connections; his uncle;
    her uncle; his aunt; her aunt; neighbour; who they know; who he knows; who she knows
choice_control: no pressure; didn't pressure; without pressure; pressured; pressurised;
    under pressure to; change his mind; change her mind; changed his mind; changed her mind;
    decided not to; driving seat
target_employers: agreed to target; decided together which
better_off: carer's allowance; carers allowance; attendance allowance; dla;
    work capability assessment; wca; limited capability for work; lcw; fit for work
social_benefits: friends at work; mixing with people; get out more
plan_review: updated his plan; updated her plan; updated the plan; signed the plan; signed his plan;
    signed her plan; copy of the plan; copy of his plan; copy of her plan; in-work support plan;
    retention plan; progress meeting; progress against; went back over; actions from last;
    agreed actions; what had been done; what still needed
smart_plan: by next week; by friday; by monday; within two weeks; within a month; who will do what;
    responsible for each
# Everyday practitioner wording, SE06: what kind of workplace, vacancies coming up, learning the job
# on site, the employer's rules, interviews and starting, arguing for a role, watching the team,
# buddies, briefing colleagues
employer_culture: large retailer; family feel; busy environment; noisy environment;
    quiet environment; pace of work; entry-level roles; entry level roles; kinds of roles;
    types of roles
vacancies: find a job service; job alert; job alerts; role came up; job came up; position came up
job_analysis: spent a shift; spent a day at; observed a shift; watched the staff; watched staff;
    followed a member of staff; tried the tasks; tried the job; physical demands; noise levels;
    the layout; list of duties; key duties; main duties; daily duties; what the job involved;
    what the job involves; what the role involved; what the role involves
employer_standards: what good looks like; kpis; kpi; clocking in; clock in; call in sick;
    sickness reporting; reporting absence; absence procedure
recruitment_support: at the interview; sat in on the interview; attended the interview with;
    accompanied him to the interview; accompanied her to the interview; supported him at interview;
    supported her at interview; interview support; shortlisted; shortlisting; proof of id;
    id documents; bank details; start date
advocacy: suggested to the manager; suggested to the employer; put it to the manager; convinced;
    convince; sold the idea; talked about his strengths; talked about her strengths;
    explained his strengths; explained her strengths; highlighted his strengths;
    highlighted her strengths
coworker_culture: what the team were like; cliques; clique; gossip; who to ask; who he could ask;
    who she could ask; chat at break; informal rules; how things are done; the way things are done;
    nicknames
natural_supports: paired him with; paired her with; paired with; key contact; point of contact;
    ask a colleague; asked a colleague; lift share; car share; gives him a lift; gives her a lift;
    someone to ask; who to go to; colleague took over; supervisor took over
coworker_support: talked to the staff; spoke to the staff; explained to his colleagues;
    explained to her colleagues; how to support him; how to support her; tips for colleagues;
    told the team
"""


def parse_thesaurus(table: str) -> tuple[dict[str, tuple[str, ...]], frozenset[str]]:
    """Read the ``name: phrase; phrase`` table into concepts and the set of weak concept names."""
    entries: list[str] = []
    for line in table.splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[:1].isspace() and entries:
            entries[-1] += " " + line.strip()
        else:
            entries.append(line.strip())
    concepts: dict[str, tuple[str, ...]] = {}
    weak: set[str] = set()
    for entry in entries:
        name, _, body = entry.partition(":")
        name = name.strip()
        if name.startswith("~"):
            name = name[1:]
            weak.add(name)
        phrases = tuple(p.strip() for p in body.split(";") if p.strip())
        concepts[name] = concepts.get(name, ()) + phrases
    return concepts, frozenset(weak)


CONCEPTS, WEAK_CONCEPTS = parse_thesaurus(THESAURUS)
