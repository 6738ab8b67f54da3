import { composeMessage } from './messages.js';

/*
 * A realistic, clean 20 KB staff email for bench:relay: a head of department's reply to an
 * outdoor education centre about a field trip, with a signature and the thread quoted below, as
 * mail clients send it. Every person, school and place is invented; it names no pupil, carries no
 * personal or sensitive details, so the gateway delivers it (the default rules).
 */

const WIDTH = 76;

const DISCLAIMER =
  'This email and any files sent with it are intended only for the person or organisation to whom it is addressed. If you have received it in error, please let the sender know and delete it. Views expressed are those of the author and not necessarily those of Kestrel Vale Academy. Please consider the environment before printing this email.';

const SIGNATURE = ['Owen Trevelyan', 'Head of Geography', 'Kestrel Vale Academy', 'https://www.school.example.sch.uk/geography', '', ...wrap(DISCLAIMER)];

const CENTRE_SIGNATURE = ['Ruth Ellery', 'Schools Programme Coordinator', 'Marram Point Field Studies Centre', 'https://www.example.org/schools'];

const REPLY = [
  'Dear Ruth,',
  'Thank you for such a thorough reply, and for holding the Thursday and Friday for us while we sorted out the coaches. I have now spoken to the business manager, and I am pleased to say that the trip has been approved by the senior leadership team this morning, so we can go ahead with the dates you suggested in March. I have tried to answer each of your questions below in the same order you asked them, so that nothing slips through the gaps.',
  'Numbers first. We expect sixty-two students from Year 9 across the three geography groups, which is a little higher than the figure I gave you in November because the history department has asked whether a handful of their GCSE students could join us for the coastal management day. I hope that is still within what the centre can take on the beach at once. If it helps, we are happy to split into two halves for the morning and swap over after lunch, as we did on our visit two years ago, which worked very well for everyone.',
  'Staffing. There will be six members of staff from the school, all of whom have been on residential and day trips with us before, and two of whom hold the outdoor first aid qualification your team asked about. That gives us a ratio of roughly one to ten, which I believe matches the guidance in your visit pack. I will send you the final list of staff names the week before, once the cover timetable is settled, as it sometimes changes at short notice when colleagues are needed elsewhere.',
  'Travel. The coach company have confirmed two vehicles, leaving the school car park at 07:45 and arriving with you at about 09:30, depending on the traffic on the bypass. For the return journey we have asked them to be ready at 15:30, which should bring us back for the end of the school day. Could you let me know whether the lower car park will be open that early, or whether the drivers should use the lay-by on the coast road as they did last time?',
  'Fieldwork. We would like the students to carry out the beach profile exercise in the morning, measuring the gradient at fixed intervals from the cliff foot to the water line, and then to record the longshore drift experiment with the floats after lunch if the tide allows. Our students have practised the method in the school field with ranging poles and clinometers, so they should be quick to get going. We would also love them to see the groynes and the new rock armour at the northern end, since the exam board expects them to evaluate hard and soft engineering with a real example.',
  "Equipment. We will bring our own clipboards, recording sheets and tape measures, but we would be grateful to borrow the centre's ranging poles, clinometers and the set of flow meters if they are free that day. If there is a charge for the loan, please add it to the invoice rather than asking for it on the day, as the finance office prefers to settle everything in a single payment through the usual purchase order process.",
  'Weather. I have read the contingency plan you attached and I am happy with it. If the wind is too strong for the beach work, the indoor session on coastal processes and the model wave tank sounds like an excellent alternative, and I know the students would enjoy it. Perhaps we could agree to make the decision together by telephone at about eight on the morning itself, once the forecast for the afternoon is clearer?',
  "Lunch. The students will bring packed lunches, and we would be glad to use the covered area by the classroom block if it is raining. We will make sure all litter is taken home with us, and the students will be reminded of the centre's rules about the dunes and the nesting areas before we leave school, as well as again on arrival when your team gives the welcome talk.",
  'Costs. The quotation of £24 per student for the day, with the equipment included, is within the budget the school has set, and the business manager will raise the purchase order this week. I understand that the deposit is due by the end of January and the balance four weeks before the visit; if the invoice could be addressed to the finance office rather than to me, that would save a step at our end.',
  "Paperwork. I have started the school's own visit form and will upload your risk assessment and the centre's licence details to it, as our educational visits coordinator needs both before final approval. If you have an updated version of the risk assessment for this year, I would be grateful for a copy, but if the one from last spring still stands then that is absolutely fine.",
  'On the write-up: this year the students will present their findings as a short report with a map, two graphs and a conclusion about whether the defences at the northern end are worth what they cost. Last time several of them struggled to draw a clear beach profile from their own measurements, so we will spend a lesson before the trip practising with the data we collected two years ago. If your tutors could remind the groups on the day to write down the distance between each pole as well as the angle, it would save a lot of head-scratching back in the classroom.',
  'On the road works you mentioned in the visit pack: the coach company say they know about the closure near the roundabout and will come the long way round through the village, which adds about ten minutes. I have built that into the times below, but if the diversion changes before March I would be grateful if you could let me know, as the drivers are not always told in good time.',
  'To make things easier for your tutors, here is the outline of the day as we currently picture it; please change anything that does not fit the tides or the other groups on site:',
  ...[
    '07:45  coaches leave the school car park',
    '09:30  arrival, toilets and bags into the classroom block',
    '09:45  welcome talk from the centre team, rules for the dunes',
    '10:15  groups A to C: beach profiles at the southern transect',
    '10:15  groups D to F: sea defences walk to the northern end',
    '12:00  lunch in the covered area, or on the green if dry',
    '12:45  groups swap over for the second session',
    '14:15  longshore drift floats, if the tide allows',
    '14:45  gather at the classroom block, equipment back and counted',
    '15:30  coaches leave for school',
  ].map((line) => `    ${line}`),
  'And this is the kit list we will send home to families; do tell me if we have missed anything the centre would want the students to bring:',
  ...[
    'a waterproof coat with a hood',
    'sturdy shoes or walking boots that can get wet',
    'a warm jumper or fleece, even if the forecast is mild',
    'a packed lunch and a refillable water bottle',
    'a pencil, a sharpener and a rubber in a clear plastic bag',
    'a small rucksack to keep the recording sheets dry',
    'sun cream and a hat if the weather turns out bright',
  ].map((line) => `  - ${line}`),
  'Finally, thank you again for the suggestion of the follow-up session in school. The department would very much like to take you up on it, perhaps in the summer term, when the students are writing up their investigations and could use some help with presenting their data. Let me know what dates might suit your team and I will check them against our calendar.',
  'With many thanks, and I look forward to hearing from you,',
  'Owen',
];

const CENTRE_MESSAGE = [
  'Dear Owen,',
  'Thank you for getting in touch about a geography fieldwork day for your Year 9 groups, and it is lovely to hear from Kestrel Vale again. I have checked the bookings diary and we can offer you either Thursday 18 or Friday 19 March, both of which fall on good tides for the beach work, with low water in the early afternoon. I have pencilled in both dates for now, and will hold them until the end of next week while you confirm transport on your side.',
  'Our standard fieldwork day runs from about half past nine until three, and begins with a short welcome talk in the classroom block about the site, the rules for the dunes and what to do if the group becomes separated. After that the students work in small groups with our tutors, and the staff from school stay with their own groups throughout. We ask for at least one member of school staff for every ten students, and we would like at least one of them to hold a current outdoor first aid certificate.',
  'For the beach profile work we can lend ranging poles, clinometers and measuring tapes, and for the drift experiment we have floats and flow meters. The loan is included in the day rate if you book the full programme. If you would rather bring your own equipment, that is fine too, but please let us know so that we can plan how many of our sets to put aside for other groups on site that day.',
  'You may remember that the beach has changed a little since your last visit. The storms two winters ago moved a great deal of shingle from the southern end towards the north, and the council has since added a line of rock armour below the cliff path, so there is more for the students to look at and argue about than there used to be. Our tutors now start the coastal management session at the viewpoint above the car park, where the whole bay can be seen at once, before walking down to the defences themselves.',
  'Could you let me know the following when you are able: how many students you expect, how many staff will come, the times your coaches will arrive and leave, and whether you would like the coastal management session at the northern end of the bay? I will also need to know where to send the invoice, and whether your school pays by purchase order or by card.',
  'I have attached our current visit pack, the risk assessment for beach fieldwork and our contingency plan for bad weather. The risk assessment is reviewed each spring, so I will send you the new version when it is ready. If the weather is against us on the day, we can move indoors to the wave tank and the coastal processes session, which the students usually enjoy just as much as the beach.',
  'There is a short piece about the lifeboat station and the history of the bay in the visit pack as well, which your history colleagues might find useful. Our tutors are happy to stop there for ten minutes on the way back to the car park, and we have a set of old photographs of the harbour that the students can look at while they wait for the coaches to be ready.',
  'Many of the schools who visit us also take up a follow-up session, where one of our tutors comes into school for an hour to help students with analysing and presenting their results. There is no charge for this if it is booked in the same academic year. Let me know if you would like to hear more about it.',
  'Kind regards,',
  'Ruth',
];

const COACH_QUESTION = [
  'Hi Ruth,',
  'Thanks so much for this, and for pencilling in both dates. Before I confirm either of them, could I check two small things with you? The coach company we use have asked whether there is room for two full-size coaches to turn in the lower car park, or whether they should plan to drop the students on the coast road and park elsewhere for the day. They had some trouble with the height barrier on a different trip last year, so they are being careful.',
  'The second question is about the timing of the low tide. Our afternoon lessons finish at twenty past three, and some families collect their children straight from the school gate, so if we could be back by then it would make things simpler for everybody. Would it still be possible to do the drift experiment if we left the beach at half past two rather than three, or would we lose too much of the falling tide?',
  'I should also say that the students enjoyed the last visit enormously, and several of them who are now in Year 11 still talk about the day they measured the waves. It has become one of the things the department is known for, and the younger students ask about it almost as soon as they start the coasts unit, so we are keen to keep it going for as long as we can.',
  'I am meeting the business manager on Friday to talk about the budget for the day, so I should be able to confirm the date and the numbers with you early next week. In the meantime I have shared your visit pack with our educational visits coordinator, who has asked whether the centre has a copy of its adventure activities licence or an equivalent accreditation she can file with the form.',
  'One more thing, if I may. A colleague from the science department has asked whether the centre still runs the rock pool session for younger groups, as she is thinking about a visit for Year 7 in the summer term. I have told her I would ask, but there is no hurry at all, and I am sure she will get in touch with you directly once she has a date in mind.',
  'Thanks again,',
  'Owen',
];

const COACH_ANSWER = [
  'Hi Owen,',
  'Good questions, both of them. The lower car park has no height barrier any more, it was taken away when the surface was redone last summer, and there is room for two coaches to turn in the far corner as long as they arrive before the dog walkers fill the spaces near the gate. I would suggest the drivers come in slowly and follow the signs for group parking, and one of our team will meet them there.',
  'As for the tide, leaving the beach at half past two would be fine on either date. The drift experiment only needs about twenty minutes once the floats are in, and the tutors can start it a little earlier than usual if we know in advance. I will make a note on the booking so that whoever leads your groups plans for it.',
  'We do not need an adventure activities licence for fieldwork on the beach, as it is not one of the activities the scheme covers, but we hold the Learning Outside the Classroom quality badge, and I have attached the certificate for your coordinator. Our public liability insurance certificate is attached too, since that is usually the next thing people ask for.',
  'Thank you for mentioning your colleague in science. We do still run the rock pool session, and the summer term is the best time for it, as the pools are full of life from May onwards. It suits groups of up to thirty at a time, so a larger year group usually comes over two days. She is very welcome to contact me directly, and I will send her the programme for younger students.',
  'Finally, a small change on our side: from January our bookings will be handled through a new online system, so you may receive an automatic confirmation email with a booking reference once your dates are confirmed. Please keep the reference handy, as the finance team will quote it on the invoice, but do carry on writing to me with any questions, as nothing else about the way we work will change.',
  'Best wishes,',
  'Ruth',
];

const ENQUIRY = [
  'Dear Ruth,',
  'I hope you are well. Our department is planning a coastal fieldwork day for Year 9 in the spring term, and after the success of our visit two years ago we would very much like to come back to Marram Point. The students will be starting the coasts unit in February, and a day on the beach in March would give them first-hand data to use in their written investigations before the Easter holiday.',
  'We are thinking of a group of about fifty-five to sixty students, with around six members of staff, travelling by coach. Ideally we would like to visit on a Thursday or a Friday, as those are the days on which the fewest lessons would need to be covered, but we can be flexible if the tides are better earlier in the week.',
  'In terms of content, we would like to focus on beach profiles and longshore drift, and if possible to include a look at the sea defences at the northern end of the bay, as the students need to compare different approaches to managing the coastline. Last time your tutors ran a short session on the cliff path about erosion rates, which the students found fascinating, so we would be happy to include that again if there is time.',
  'We have also been asked by the head of humanities to see whether the day could support some of the work the students do in history, since the bay has a long story of shipwrecks, smuggling and the old lifeboat station. I am not sure whether that is something your tutors would be comfortable covering, but even ten minutes at the lifeboat station on the way back to the coaches would give the history teachers something to build on in their own lessons.',
  "Could you let me know which dates might be available, the cost per student, and what equipment the centre can provide? I will also need your risk assessment and any other documents our educational visits coordinator will ask for, so that I can begin the school's approval process as soon as possible.",
  'Many thanks in advance for your help,',
  'Owen',
];

/** Wraps a paragraph at word boundaries, as a mail client's plain-text editor does. */
function wrap(paragraph: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of paragraph.split(' ')) {
    if (line && line.length + 1 + word.length > WIDTH) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line];
}

function letter(paragraphs: readonly string[], signature: readonly string[]): string[] {
  return [...paragraphs.flatMap((paragraph) => [...wrap(paragraph), '']), '-- ', ...signature];
}

function quoted(attribution: string, lines: readonly string[]): string[] {
  return ['', ...wrap(attribution), ...lines.map((line) => (line.startsWith('>') ? `>${line}` : `> ${line}`.trimEnd()))];
}

interface ThreadMessage {
  readonly paragraphs: readonly string[];
  readonly signature: readonly string[];
  /** The line that introduces it where a later message quotes it. */
  readonly attribution: string;
}

/** Newest first, each message answering the one after it. */
const THREAD: readonly ThreadMessage[] = [
  { paragraphs: REPLY, signature: SIGNATURE, attribution: '' },
  { paragraphs: COACH_ANSWER, signature: CENTRE_SIGNATURE, attribution: 'On Fri, 4 Dec 2026 at 11:03, Ruth Ellery <ruth.ellery@example.org> wrote:' },
  { paragraphs: COACH_QUESTION, signature: SIGNATURE, attribution: 'On Thu, 3 Dec 2026 at 17:26, Owen Trevelyan <owen.trevelyan@school.example.sch.uk> wrote:' },
  { paragraphs: CENTRE_MESSAGE, signature: CENTRE_SIGNATURE, attribution: 'On Wed, 2 Dec 2026 at 15:42, Ruth Ellery <ruth.ellery@example.org> wrote:' },
  { paragraphs: ENQUIRY, signature: SIGNATURE, attribution: 'On Mon, 30 Nov 2026 at 09:10, Owen Trevelyan <owen.trevelyan@school.example.sch.uk> wrote:' },
];

/** A message with the one it answers quoted below it, which quotes its own, and so on. */
function withHistory([message, ...older]: readonly ThreadMessage[]): string[] {
  if (!message) return [];
  const [previous] = older;
  return [...letter(message.paragraphs, message.signature), ...(previous ? quoted(previous.attribution, withHistory(older)) : [])];
}

/** The whole message, LF line ends (smtp-source -F adds CR to each line). */
export async function staffEmail(): Promise<Buffer> {
  const raw = await composeMessage(withHistory(THREAD).join('\n'), [], {
    from: 'Owen Trevelyan <owen.trevelyan@school.example.sch.uk>',
    to: 'Ruth Ellery <ruth.ellery@example.org>',
    subject: 'Re: Year 9 coastal fieldwork day in March',
  });
  return Buffer.from(raw.toString('utf8').replace(/\r\n/g, '\n'));
}
