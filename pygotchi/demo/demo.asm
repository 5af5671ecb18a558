; =============================================================================
;  pygotchi demo ROM: "Sprout", a little creature for the Epson E0C6S46
; =============================================================================
;
; An original program written for pygotchi (no Bandai code or graphics), so
; that a newcomer sees a living screen before owning a real ROM, and so that
; the end-to-end tests need no licensed ROM. Build it with pygotchi's own
; assembler:
;
;     python -m pygotchi asm pygotchi/demo/demo.asm -o demo.bin
;
; or from Python: pygotchi.demo.demo_rom_bytes().
;
; What it does
; ------------
;   idle    Sprout stands on the screen, bobbing every half second; now and
;           then it blinks or looks left and right (an 8-second loop).
;   A       feeding: a fruit appears and Sprout eats it in three bites, then
;           hops for joy; the "food" icon (icon 0) is lit meanwhile. Beep:
;           4096 Hz, 62 ms.
;   B       the clock: "HH:MM" with a blinking colon, for 5 seconds, with
;           Sprout peeking from below. Beep: 2731 Hz, 62 ms.
;   C       happy dance with hearts. Beep: 3277 Hz, 94 ms.
;   tap     (the K03 tap sensor) surprise: round eyes and a blinking "!".
;           Beep: 1365 Hz, 94 ms.
;   60 s without a button: Sprout calls you: the "attention" icon (icon 7)
;           lights and it beeps once (2048 Hz, 156 ms); any button answers
;           it. Unanswered for three minutes, Sprout gives up (the icon goes
;           out) and calls again a minute later: now and then, as a real pet
;           calls, so that a server's notifications have something to tell.
;   The clock starts at 12:00 at reset and runs on a 24-hour dial.
;
; A crash course in the E0C6200 CPU, as used below
; ------------------------------------------------
; * Everything is 4 bits wide. Registers A and B hold one nibble each; X and Y
;   are 12-bit pointers made of a page nibble (XP, YP) and a byte (XH:XL).
;   "MX" is the nibble of data memory that X points at, "MY" the one at Y.
;   "LD X,e" loads only XH:XL; the page is set apart with "LD XP,r".
; * Data memory: RAM at 0x000-0x27F, display RAM at 0xE00-0xE4F and
;   0xE80-0xECF, I/O registers at 0xF00-0xF7F. The first 16 RAM nibbles have
;   short forms: "LD A,M(n)", "INC M(n)", "DEC M(n)". We keep our busiest
;   variables there.
; * Program memory: 12-bit words in 256-word pages. A jump or a call carries
;   only the 8-bit step inside a page; the page comes from NP, which is the
;   current page unless the instruction right before was "PSET page". Our
;   assembler writes "JPF" / "CALLF" for PSET + JP / CALL to another page and
;   refuses a plain JP that would land in the wrong page.
; * CALL pushes the return address as three nibbles on the stack (SP is an
;   8-bit pointer into RAM page 0); RET pops them. RETD e returns AND stores
;   the byte e at M(X), M(X+1) (low nibble first), then X += 2: a jump into a
;   list of RETDs is how this CPU reads tables out of program memory. LBPX
;   MX,e stores a byte the same way without returning: perfect for pictures.
; * JPBA jumps to step B:A of the page in NP, so "PSET page / JPBA" with an
;   index in B and A is a computed jump (a switch, or a table lookup).
; * The clock is slow: 32,768 Hz, 5 to 12 cycles per instruction, so about
;   6,000 instructions per second. We spend them carefully and sleep (HALT)
;   the rest of the time: a timer interrupt wakes the CPU 8 times a second,
;   the handler does its work and the CPU goes back to sleep.
;
; Program layout
; --------------
;   0x100  page 1: interrupt vectors, start-up, interrupt handlers, idle loop
;   0x200  page 2: what happens each tick: buttons, clock, scenes, beeps
;   0x300  page 3: tables read with RETD (scenes, timings, sounds, font)
;   0x400  page 4: drawing: jump tables of pictures, the clock display
;   0x500  pages 5-7: the pictures, as code (generated from pygotchi/demo/art.py)
;
; RAM map
; -------
;   0x000  M(FLAGS)     clock-timer flags read at the last interrupt (F00)
;   0x001  M(MODE)      what Sprout is doing: MODE_IDLE ... MODE_SURPRISE
;   0x002  M(DIV)       8 Hz ticks left in the current scene step
;   0x003  M(STEP)      scene step (0-15)
;   0x004  M(BEEP)      32 Hz ticks left in the current beep (0 = silent)
;   0x005  M(PACE)      8 Hz ticks per step of the current scene
;   0x006  M(SEC_LO)    seconds, ones      } the clock, in decimal
;   0x007  M(SEC_HI)    seconds, tens      } (one digit per nibble,
;   0x008  M(MIN_LO)    minutes, ones      }  as it is displayed)
;   0x009  M(MIN_HI)    minutes, tens      }
;   0x00A  M(HOUR_LO)   hours, ones        }
;   0x00B  M(HOUR_HI)   hours, tens        }
;   0x00C  M(IDLE_LO)   seconds since the last button or the last call
;   0x00D  M(IDLE_HI)   given up (8 bits, back to 0 at GIVE_UP_SECS)
;   0x00E  M(OUT_LO)    result of a table lookup (low nibble)
;   0x00F  M(OUT_HI)    result of a table lookup (high nibble)
;   0x010  KEY_LATCH    buttons seen by the K00-K03 interrupt (see isr_keys)
;   0x0E0-0x0FF         the stack (SP starts at 0x00, first push at 0x0FF)

; -----------------------------------------------------------------------------
; Constants
; -----------------------------------------------------------------------------

; I/O registers, as the low byte of their address: Y always points into page
; 0xF (set once at start-up), so "LD Y,IO_x" then MY reaches register 0xF00+x.
IO_CLOCK_FLAGS = 0x00   ; F00 clock-timer interrupt factors (read clears):
                        ;     bit 0 = 32 Hz, 1 = 8 Hz, 2 = 2 Hz, 3 = 1 Hz
IO_KEY_FLAGS   = 0x04   ; F04 K00-K03 interrupt factors (read clears)
IO_CLOCK_MASK  = 0x10   ; F10 clock-timer interrupt mask, same bits as F00
IO_KEY_MASK    = 0x14   ; F14 K00-K03 interrupt mask
IO_KEY_EDGE    = 0x41   ; F41 K00-K03 interrupt edge (1 = when pulled low)
IO_R4          = 0x54   ; F54 output port R40-R43; R43 (bit 3) drives the
                        ;     buzzer: 0 = sound, 1 = silence
IO_LCD         = 0x71   ; F71 LCD control (bit 3 = all segments off)
IO_BUZZER_FREQ = 0x74   ; F74 buzzer frequency, 32768 / N Hz:
                        ;     0 4096, 1 3277, 2 2731, 3 2341,
                        ;     4 2048, 5 1638, 6 1365, 7 1170 Hz
IO_WATCHDOG    = 0x76   ; F76 bit 0: reset the watchdog timer

CLOCK_IRQS = 0xA        ; wake at 8 Hz (bit 1) and 1 Hz (bit 3) ...
BEEP_IRQS  = 0xB        ; ... and at 32 Hz (bit 0) while a beep sounds

; The buttons, as bits of F04 / F40 (K00-K03).
KEY_C   = 0x1           ; K00, the right button
KEY_B   = 0x2           ; K01, the middle button
KEY_A   = 0x4           ; K02, the left button
KEY_TAP = 0x8           ; K03, the tap sensor

; Icons: display RAM nibbles 0xE10 (icons 0-3) and 0xEB9 (icons 4-7).
ICONS_TOP    = 0x10     ; low byte of 0xE10
ICONS_BOTTOM = 0xB9     ; low byte of 0xEB9
ICON_FOOD    = 0x1      ; icon 0, in ICONS_TOP
ICON_ATTN    = 0x8      ; icon 7, in ICONS_BOTTOM

; RAM (see the map above).
FLAGS   = 0x0
MODE    = 0x1
DIV     = 0x2
STEP    = 0x3
BEEP    = 0x4
PACE    = 0x5
SEC_LO  = 0x6
SEC_HI  = 0x7
MIN_LO  = 0x8
MIN_HI  = 0x9
HOUR_LO = 0xA
HOUR_HI = 0xB
IDLE_LO = 0xC
IDLE_HI = 0xD
OUT_LO  = 0xE
OUT_HI  = 0xF
KEY_LATCH = 0x10

ATTN_SECS = 60          ; seconds without a button before Sprout calls
GIVE_UP_SECS = 240      ; ... and when it stops calling if nobody answered

; What Sprout is doing. Each mode plays a scene: a list of steps in the table
; page, row = mode number.
MODE_IDLE     = 0
MODE_FEED     = 1       ; button A
MODE_CLOCK    = 2       ; button B
MODE_HAPPY    = 3       ; button C
MODE_SURPRISE = 4       ; the tap sensor
SOUND_CALL    = 5       ; column of the "call" sound in the sound row

; Program pages.
VECTOR_PAGE = 0x100
LOGIC_PAGE  = 0x200
TABLE_PAGE  = 0x300
DRAW_PAGE   = 0x400
SPRITE_PAGE = 0x500

; Rows of the table page (16 entries each; row r, column c is at step 16*r+c).
ROW_DIV   = 5           ; 8 Hz ticks per scene step, per mode
ROW_SOUND = 6           ; beep per mode: (length in 1/32 s) * 16 + frequency
ROW_DIGIT = 8           ; rows 8, 9, 10: columns 0, 1, 2 of the clock font

; A scene step is one byte, (decoration << 4) | creature; see run_step.
C_KEEP = 0xF            ; leave the creature as it is
END    = 0xFF           ; end of the scene: back to idle

; =============================================================================
; Page 1: vectors, start-up, interrupt handlers
; =============================================================================
;
; At reset the CPU starts at 0x100 with interrupts off. An interrupt pushes
; the return address, clears the I flag and jumps to its vector in page 1.

        ORG  VECTOR_PAGE
        JP   init           ; 0x100 reset
        ORG  VECTOR_PAGE + 0x02
        JP   isr_clock      ; 0x102 clock timer
        ORG  VECTOR_PAGE + 0x04
        JP   isr_spare      ; 0x104 stopwatch (never enabled)
        ORG  VECTOR_PAGE + 0x06
        JP   isr_keys       ; 0x106 K00-K03 input
        ORG  VECTOR_PAGE + 0x08
        JP   isr_spare      ; 0x108 K10-K13 input (never enabled)
        ORG  VECTOR_PAGE + 0x0A
        JP   isr_spare      ; 0x10A serial interface (never enabled)
        ORG  VECTOR_PAGE + 0x0C
        JP   isr_spare      ; 0x10C programmable timer (never enabled)

        ORG  VECTOR_PAGE + 0x10
init:
        RST  F,0            ; all flags off: interrupts disabled, binary mode
        LD   A,0
        LD   SPH,A          ; the stack pointer, before any CALL or PUSH:
        LD   SPL,A          ; SP = 0x00, so the first push goes to 0x0FF
        LD   A,0xF
        LD   YP,A           ; Y stays in page 0xF, the I/O registers

        ; Clear our RAM, 0x000-0x01F. (The emulator starts with zeroed
        ; memory; the real chip does not.) LBPX stores two nibbles and moves
        ; X on by 2; four of them per turn make the loop cheap.
        LD   A,0
        LD   XP,A
        LD   X,0x00
clear_ram:
        LBPX MX,0x00        ; M(X) = M(X+1) = 0, X = X + 2
        LBPX MX,0x00
        LBPX MX,0x00
        LBPX MX,0x00
        CP   XH,0x2         ; up to X = 0x020
        JP   NZ,clear_ram

        ; Clear display RAM, both halves: 0xE00-0xE4F and 0xE80-0xECF.
        LD   A,0xE
        LD   XP,A
        LD   X,0x00
clear_lcd_top:
        LBPX MX,0x00
        LBPX MX,0x00
        LBPX MX,0x00
        LBPX MX,0x00
        CP   XH,0x5
        JP   NZ,clear_lcd_top
        LD   X,0x80
clear_lcd_bottom:
        LBPX MX,0x00
        LBPX MX,0x00
        LBPX MX,0x00
        LBPX MX,0x00
        CP   XH,0xD
        JP   NZ,clear_lcd_bottom

        ; The peripherals.
        LD   Y,IO_LCD
        LD   MY,0x0         ; LCD on, 1/16 duty (the chip resets it to "all off")
        LD   Y,IO_R4
        LD   MY,0xF         ; buzzer silent
        LD   Y,IO_KEY_EDGE
        LD   MY,0xF         ; a K0x key event is a press (pin pulled low)
        LD   Y,IO_KEY_MASK
        LD   MY,0xF         ; K00-K03 interrupts on: see isr_keys
        LD   Y,IO_CLOCK_MASK
        LD   MY,CLOCK_IRQS  ; clock-timer interrupts at 8 Hz and 1 Hz

        ; The time at reset: 12:00:00.
        LD   A,2
        LD   M(HOUR_LO),A
        LD   A,1
        LD   M(HOUR_HI),A

        CALLF start_idle    ; the first picture

        ; Forget anything that happened while we were busy, then let the
        ; interrupts in.
        LD   Y,IO_CLOCK_FLAGS
        LD   A,MY
        LD   Y,IO_KEY_FLAGS
        LD   A,MY
        EI

; The idle loop. HALT stops the CPU until an interrupt; the handler runs and
; returns here, and we sleep again. All the work happens in the handlers, so
; this loop is all the main program there is.
main:
        HALT
        JP   main

; The clock timer: wakes us on every 8 Hz edge (and every 32 Hz one while a
; beep sounds). Reading F00 tells which edges happened since the last read,
; and acknowledges them. F00 shows every edge, masked or not (the 32 Hz edges
; coincide with the 8 Hz ones), so its 32 Hz bit only counts while we beep.
isr_clock:
        LD   Y,IO_CLOCK_FLAGS
        LD   A,MY
        LD   M(FLAGS),A
        LD   A,M(BEEP)      ; beeping?
        CP   A,0
        JP   Z,isr_clock_8hz
        LD   A,M(FLAGS)
        FAN  A,0x1          ; and a 32 Hz edge? (FAN: Z = (A AND 1) == 0)
        JP   Z,isr_clock_8hz
        CALLF beep_tick     ; time the beep
isr_clock_8hz:
        LD   A,M(FLAGS)
        FAN  A,0x2          ; 8 Hz edge?
        JP   Z,isr_done
        CALLF tick          ; buttons, clock, animation
isr_done:
        EI                  ; the interrupt cleared I: allow the next one
        RET

; K00-K03 input: a button was pressed. On the real chip this interrupt fires
; when F14 enables it. Under TamaLIB, which pygotchi reproduces, it never
; does (its F14 lands in the serial slot), but the press still sets the factor
; flag in F04, which `tick` reads 8 times a second. Both paths end in the
; same place. Registers need no saving: this can only interrupt the HALT loop,
; or another handler at its final EI.
isr_keys:
        LD   Y,IO_KEY_FLAGS
        LD   A,MY           ; which keys (reading acknowledges the interrupt)
        LD   B,0
        LD   XP,B
        LD   X,KEY_LATCH
        OR   MX,A           ; keep them for the next tick
isr_spare:
        EI
        RET

; =============================================================================
; Page 2: the tick, 8 times a second
; =============================================================================

        ORG  LOGIC_PAGE

tick:
        ; Buttons pressed since the last tick: F04 latches every press, so
        ; even a tap shorter than a tick is seen. Plus those isr_keys kept.
        ; They come first, so that their beep starts right on this edge.
        LD   Y,IO_KEY_FLAGS
        LD   A,MY
        LD   B,0
        LD   XP,B
        LD   X,KEY_LATCH
        OR   A,MX           ; A = F04 OR KEY_LATCH (Z = no button at all)
        LD   MX,0           ; (LD leaves the flags alone)
        JP   Z,tick_scene
        CALL on_keys        ; a new scene, its first step drawn
        JP   tick_second    ; tail call: the second, if one has passed
tick_scene:
        CALL tick_second    ; the second first: its call beep starts promptly
        ; Advance the scene when this step's time is up.
        DEC  M(DIV)
        JP   NZ,tick_done
        INC  M(STEP)        ; a nibble: the idle scene wraps from 15 to 0
        JP   run_step       ; tail call: its RET is ours
tick_second:
        LD   A,M(FLAGS)     ; a new second? (A 1 Hz edge is an 8 Hz edge too.)
        FAN  A,0x8
        JP   NZ,on_second   ; tail call
tick_done:
        RET

; A button: A = the K0x bits pressed. A wins over B over C over the tap.
on_keys:
        ; Sprout is no longer lonely: restart the count, put out icon 7.
        LD   B,0
        LD   M(IDLE_LO),B
        LD   M(IDLE_HI),B
        LD   B,0xE
        LD   XP,B
        LD   X,ICONS_BOTTOM
        LD   MX,0
        FAN  A,KEY_A
        JP   NZ,press_a
        FAN  A,KEY_B
        JP   NZ,press_b
        FAN  A,KEY_C
        JP   NZ,press_c
        LD   A,MODE_SURPRISE ; only the tap sensor is left
        JP   enter_mode
press_a:
        LD   A,MODE_FEED
        JP   enter_mode
press_b:
        LD   A,MODE_CLOCK
        JP   enter_mode
press_c:
        LD   A,MODE_HAPPY
        JP   enter_mode

; Start a scene from its first step: A = the mode.
start_idle:
        LD   A,MODE_IDLE
enter_mode:
        LD   M(MODE),A
        LD   B,ROW_SOUND    ; its beep first (the idle scene has a silent one)
        CALL lookup
        CALL beep_start
        LD   A,M(MODE)
        LD   B,ROW_DIV      ; its pace
        CALL lookup
        LD   A,M(OUT_LO)
        LD   M(PACE),A
        ; The food icon is lit while Sprout eats.
        LD   B,0
        LD   A,M(MODE)
        CP   A,MODE_FEED
        JP   NZ,enter_mode_icon
        LD   B,ICON_FOOD
enter_mode_icon:
        LD   A,0xE
        LD   XP,A
        LD   X,ICONS_TOP
        LD   MX,B
        ; A clean stage: clear both sides of the creature's box.
        LD   A,D_CLEAR
        CALLF draw_deco
        LD   A,0
        LD   M(STEP),A
        ; and on to run_step, for step 0.

; Play the current step of the current scene: look up its byte in the table
; page, draw the creature (low nibble) unless it is C_KEEP, then the
; decoration (high nibble). END goes back to idle.
run_step:
        LD   A,M(PACE)
        LD   M(DIV),A       ; 8 Hz ticks until the next step
        LD   A,M(STEP)
        LD   B,M(MODE)      ; row = mode, column = step
        CALL lookup
        LD   A,M(OUT_HI)
        CP   A,END >> 4
        JP   Z,run_step_end
        LD   A,M(OUT_LO)
        CP   A,C_KEEP
        JP   Z,run_step_deco
        CALLF draw_creature
run_step_deco:
        LD   A,M(OUT_HI)
        JPF  draw_deco      ; tail call: its RET returns to our caller
run_step_end:
        LD   A,MODE_IDLE
        JP   enter_mode

; Read entry (row B, column A) of the table page into M(OUT_LO), M(OUT_HI).
; The entry is "RETD e": we jump to it with JPBA, it returns to our caller and
; stores e where X points: at OUT_LO and OUT_HI.
lookup:
        PUSH A
        LD   A,0
        LD   XP,A
        POP  A
        LD   X,OUT_LO
        PSET TABLE_PAGE >> 8
        JPBA

; Beeps. beep_start: M(OUT_LO) = frequency code (F74), M(OUT_HI) = length in
; 32 Hz ticks (0: no beep). The buzzer sounds while R43 is 0; we also unmask
; the 32 Hz interrupt so that beep_tick can stop it on time.
beep_start:
        LD   A,M(OUT_HI)
        CP   A,0
        JP   Z,beep_start_done
        LD   M(BEEP),A
        LD   A,M(OUT_LO)
        LD   Y,IO_BUZZER_FREQ
        LD   MY,A
        LD   Y,IO_R4
        LD   MY,0x7         ; R43 = 0: sound on
        LD   Y,IO_CLOCK_MASK
        LD   MY,BEEP_IRQS
beep_start_done:
        RET

; On each 32 Hz edge while beeping: count the beep down, silence it at zero.
beep_tick:
        DEC  M(BEEP)
        JP   NZ,beep_tick_done
        LD   Y,IO_R4
        LD   MY,0xF         ; R43 = 1: silence
        LD   Y,IO_CLOCK_MASK
        LD   MY,CLOCK_IRQS  ; no more 32 Hz wake-ups
beep_tick_done:
        RET

; Once a second: the watchdog, Sprout's patience, and the clock.
on_second:
        LD   Y,IO_WATCHDOG
        LD   MY,0x1         ; the real chip resets itself if we forget this
        CALL lonely
        LD   A,0
        LD   XP,A
        LD   X,SEC_LO
        CALL inc60          ; seconds (C = 1: they went from 59 to 00)
        JP   NC,on_second_done
        CALL inc60          ; minutes (X moved on to them)
        JP   NC,on_second_done
        JP   inc_hour       ; tail call

; Count the seconds since the last button: call at ATTN_SECS; give up at
; GIVE_UP_SECS (the icon goes out and the count starts again).
lonely:
        INC  M(IDLE_LO)     ; C = 1 when it wraps from 15 to 0
        JP   NC,lonely_check
        INC  M(IDLE_HI)
lonely_check:
        LD   A,M(IDLE_HI)
        CP   A,GIVE_UP_SECS >> 4
        JP   NZ,lonely_call
        LD   A,M(IDLE_LO)
        CP   A,GIVE_UP_SECS & 0xF
        JP   NZ,lonely_done
        ; Nobody came: stop calling, and start counting again.
        LD   B,0
        LD   M(IDLE_LO),B
        LD   M(IDLE_HI),B
        LD   A,0xE
        LD   XP,A
        LD   X,ICONS_BOTTOM
        LD   MX,0
        RET
lonely_call:
        CP   A,ATTN_SECS >> 4
        JP   NZ,lonely_done
        LD   A,M(IDLE_LO)
        CP   A,ATTN_SECS & 0xF
        JP   NZ,lonely_done
        ; Time's up: light the attention icon and call.
        LD   A,0xE
        LD   XP,A
        LD   X,ICONS_BOTTOM
        LD   MX,ICON_ATTN
        LD   A,SOUND_CALL
        LD   B,ROW_SOUND
        CALL lookup
        JP   beep_start     ; tail call
on_second_done:
lonely_done:
        RET

; Add 1 to a 00-59 count: ones digit at M(X), tens at M(X+1). Returns with X
; on the next count and C = 1 if it went from 59 to 00. Decimal mode (SDF)
; makes ADD wrap at 10 with a carry, as BCD wants.
inc60:
        SDF
        LD   A,MX
        ADD  A,1            ; 9 + 1 = 0, C = 1
        LDPX MX,A           ; store the ones, X -> tens (flags untouched)
        JP   NC,inc60_same
        LD   A,MX
        ADD  A,1
        CP   A,6            ; 60?
        JP   Z,inc60_wrap
        LDPX MX,A
        RDF
        RCF                 ; (CP set C: A < 6)
        RET
inc60_wrap:
        LDPX MX,0           ; 60 -> 00, carry into the next count
        RDF
        SCF
        RET
inc60_same:
        INC  X              ; X -> the next count (C is still 0)
        RDF
        RET

; Add 1 hour: X -> M(HOUR_LO). 23 -> 00.
inc_hour:
        SDF
        LD   A,MX
        ADD  A,1
        LDPX MX,A
        JP   NC,inc_hour_24
        LD   A,MX
        ADD  A,1
        LD   MX,A
inc_hour_24:
        RDF
        LD   A,M(HOUR_HI)
        CP   A,2
        JP   NZ,inc_hour_done
        LD   A,M(HOUR_LO)
        CP   A,4
        JP   NZ,inc_hour_done
        LD   A,0
        LD   M(HOUR_LO),A
        LD   M(HOUR_HI),A
inc_hour_done:
        RET

; =============================================================================
; Page 3: tables, read with lookup (RETD entries)
; =============================================================================
;
; Scenes: row = mode, one step per column. Each step is a byte
; C_<creature> + 16 * D_<decoration> (ids from the generated part below);
; creature C_KEEP keeps the last picture, decoration D_NONE draws nothing.

        ORG  TABLE_PAGE + MODE_IDLE * 16      ; 0.5 s per step, loops forever
scene_idle:
        RETD C_STAND + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_LOOKL + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD C_BLINK + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_LOOKR + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD C_BOB + 16 * D_NONE

        ORG  TABLE_PAGE + MODE_FEED * 16      ; 0.25 s per step
scene_feed:
        RETD C_LOOKL + 16 * D_FOOD            ; a fruit!
        RETD C_KEEP + 16 * D_NONE
        RETD C_EAT + 16 * D_NONE              ; bite ...
        RETD C_CHEW + 16 * D_BITTEN
        RETD C_EAT + 16 * D_NONE              ; bite ...
        RETD C_CHEW + 16 * D_CRUMB
        RETD C_EAT + 16 * D_NONE              ; last bite
        RETD C_CHEW + 16 * D_NOFOOD
        RETD C_KEEP + 16 * D_NONE
        RETD C_HAPPY + 16 * D_NONE            ; yum: hop, hop
        RETD C_HOP + 16 * D_NONE
        RETD C_HAPPY + 16 * D_NONE
        RETD C_HOP + 16 * D_NONE
        RETD C_STAND + 16 * D_NONE
        RETD END

        ORG  TABLE_PAGE + MODE_CLOCK * 16     ; 0.5 s per step
scene_clock:
        RETD C_PEEK + 16 * D_CLOCK            ; the time, colon lit
        RETD C_KEEP + 16 * D_CLOCK2           ; colon dark
        RETD C_KEEP + 16 * D_CLOCK
        RETD C_KEEP + 16 * D_CLOCK2
        RETD C_KEEP + 16 * D_CLOCK
        RETD C_KEEP + 16 * D_CLOCK2
        RETD C_KEEP + 16 * D_CLOCK
        RETD C_KEEP + 16 * D_CLOCK2
        RETD C_KEEP + 16 * D_CLOCK
        RETD C_KEEP + 16 * D_CLOCK2
        RETD END

        ORG  TABLE_PAGE + MODE_HAPPY * 16     ; 0.25 s per step
scene_happy:
        RETD C_HAPPY + 16 * D_HEARTS1
        RETD C_HOP + 16 * D_HEARTS2
        RETD C_HAPPY + 16 * D_HEARTS1
        RETD C_HOP + 16 * D_HEARTS2
        RETD C_HAPPY + 16 * D_HEARTS1
        RETD C_HOP + 16 * D_HEARTS2
        RETD C_HAPPY + 16 * D_HEARTS1
        RETD C_HOP + 16 * D_HEARTS2
        RETD C_STAND + 16 * D_CLEAR
        RETD END

        ORG  TABLE_PAGE + MODE_SURPRISE * 16  ; 0.25 s per step
scene_surprise:
        RETD C_SURPRISED + 16 * D_BANG
        RETD C_KEEP + 16 * D_CLEAR            ; the "!" blinks
        RETD C_KEEP + 16 * D_BANG
        RETD C_KEEP + 16 * D_CLEAR
        RETD C_KEEP + 16 * D_BANG
        RETD C_KEEP + 16 * D_CLEAR
        RETD C_KEEP + 16 * D_BANG
        RETD C_STAND + 16 * D_CLEAR
        RETD END

        ORG  TABLE_PAGE + ROW_DIV * 16        ; 8 Hz ticks per step, by mode
        RETD 4              ; idle: 0.5 s
        RETD 2              ; feed: 0.25 s
        RETD 4              ; clock: 0.5 s
        RETD 2              ; happy: 0.25 s
        RETD 2              ; surprise: 0.25 s

        ORG  TABLE_PAGE + ROW_SOUND * 16      ; length (1/32 s) * 16 + F74 code
        RETD 0x00           ; idle: silence
        RETD 0x20           ; A, feed: 62 ms at 4096 Hz
        RETD 0x22           ; B, clock: 62 ms at 2731 Hz
        RETD 0x31           ; C, happy: 94 ms at 3277 Hz
        RETD 0x36           ; tap, surprise: 94 ms at 1365 Hz
        RETD 0x54           ; call (SOUND_CALL): 156 ms at 2048 Hz
; (At least 2 periods: drawing a new scene's first step keeps the CPU busy for
; some 30 ms after the press, and the 32 Hz interrupt that ends a beep waits
; for it. From the second period on, beep_tick runs within a few instructions
; of the edge, so the beep lasts its length minus the ~8 ms it took to start.)

; =============================================================================
; Page 4: drawing
; =============================================================================
;
; The screen is 32x16 dots. Each display RAM nibble holds 4 dots of one column
; (bit 0 = the top one); the two nibbles at 0xE00 + 2*SEG are rows 0-7 of the
; column wired to SEG line SEG, and 0xE80 + 2*SEG rows 8-15. On this glass
; x 0-7 are SEG 0-7, x 8-15 SEG 9-16, x 16-23 SEG 36 down to 29 and x 24-31
; SEG 27 down to 20 (SEG 8 and 28 drive the icons). So one LBPX MX,e writes
; 8 rows of a column and moves X to the next SEG: a picture is a run of LBPX,
; restarted with LD X where the SEG numbers jump.
;
; The pictures are numbered; the jump tables (generated below, at 0x400 and
; 0x420) hold one JPF (PSET + JP, 2 words) per picture.

        ORG  DRAW_PAGE + 0x40

; Draw creature picture A (a C_ id) in the box at x 10-21.
draw_creature:
        LD   B,0xE
        LD   XP,B           ; X points into display RAM from here on
        LD   B,0            ; creature_table: step 0x00 of this page
        JP   draw_jump
; Draw decoration A (a D_ id) around the box.
draw_deco:
        LD   B,0xE
        LD   XP,B
        LD   B,2            ; deco_table: step 0x20
draw_jump:
        ADD  A,A            ; 2 words per entry: step = 2 * id (C: carry out)
        ADC  B,0            ; ... whose high nibble goes to B
        PSET DRAW_PAGE >> 8
        JPBA                ; to the JPF, to the picture, whose RET is ours

deco_none:
        RET

; The clock, "HH:MM" in the top half, with the colon lit or dark.
deco_clock:
        LD   X,TIME_COLON
        LBPX MX,COLON_BITS
        JP   draw_time
deco_clock_blink:
        LD   X,TIME_COLON
        LBPX MX,0
draw_time:
        LD   A,M(HOUR_HI)
        CP   A,0
        JP   NZ,draw_time_h1
        LD   A,10           ; no leading zero: glyph 10 is blank
draw_time_h1:
        LD   X,TIME_P0C0
        LD   B,ROW_DIGIT
        CALL digit_column
        LD   X,TIME_P0C1
        LD   B,ROW_DIGIT + 1
        CALL digit_column
        LD   X,TIME_P0C2
        LD   B,ROW_DIGIT + 2
        CALL digit_column
        LD   A,M(HOUR_LO)
        LD   X,TIME_P1C0
        LD   B,ROW_DIGIT
        CALL digit_column
        LD   X,TIME_P1C1
        LD   B,ROW_DIGIT + 1
        CALL digit_column
        LD   X,TIME_P1C2
        LD   B,ROW_DIGIT + 2
        CALL digit_column
        LD   A,M(MIN_HI)
        LD   X,TIME_P2C0
        LD   B,ROW_DIGIT
        CALL digit_column
        LD   X,TIME_P2C1
        LD   B,ROW_DIGIT + 1
        CALL digit_column
        LD   X,TIME_P2C2
        LD   B,ROW_DIGIT + 2
        CALL digit_column
        LD   A,M(MIN_LO)
        LD   X,TIME_P3C0
        LD   B,ROW_DIGIT
        CALL digit_column
        LD   X,TIME_P3C1
        LD   B,ROW_DIGIT + 1
        CALL digit_column
        LD   X,TIME_P3C2
        LD   B,ROW_DIGIT + 2
        ; falls into digit_column for the last one

; Column B - ROW_DIGIT of digit A, written where X points: the RETD entry at
; row B, column A of the table page stores the column's 8 rows and returns.
digit_column:
        PSET TABLE_PAGE >> 8
        JPBA

; =============================================================================
; Generated: picture ids, jump tables, clock layout and font, pictures
; =============================================================================

; ==== SIGNATURE ====
; The last words of the ROM spell "PYGOTCHI DEMO", one character per word:
; pygotchi's emulator recognises a ROM carrying them as this demo (model "demo",
; with its own name and shell) the way it recognises Bandai ROMs by their hash.
        ORG  0x17F0
        DW   0x50, 0x59, 0x47, 0x4F, 0x54, 0x43, 0x48, 0x49    ; P Y G O T C H I
        DW   0x20, 0x44, 0x45, 0x4D, 0x4F                      ;   D E M O

; ==== BEGIN GENERATED by `python -m pygotchi.demo.art`: do not edit by hand ====
;
; Picture numbers (ids) for draw_creature and draw_deco: each indexes a jump
; table of JPF entries (2 words each, hence draw_* doubling the id). In the
; comments below, the dots of a column read from top to bottom.
;
C_STAND = 0
C_BOB = 1
C_BLINK = 2
C_LOOKL = 3
C_LOOKR = 4
C_EAT = 5
C_CHEW = 6
C_HAPPY = 7
C_HOP = 8
C_SURPRISED = 9
C_PEEK = 10
D_NONE = 0
D_CLEAR = 1
D_FOOD = 2
D_BITTEN = 3
D_CRUMB = 4
D_NOFOOD = 5
D_HEARTS1 = 6
D_HEARTS2 = 7
D_BANG = 8
D_CLOCK = 9
D_CLOCK2 = 10

        ORG  DRAW_PAGE + 0x00
creature_table:
        JPF  spr_stand           ; C_STAND
        JPF  spr_bob             ; C_BOB
        JPF  spr_blink           ; C_BLINK
        JPF  spr_look_left       ; C_LOOKL
        JPF  spr_look_right      ; C_LOOKR
        JPF  spr_eat_open        ; C_EAT
        JPF  spr_eat_shut        ; C_CHEW
        JPF  spr_happy           ; C_HAPPY
        JPF  spr_hop             ; C_HOP
        JPF  spr_surprised       ; C_SURPRISED
        JPF  spr_peek            ; C_PEEK

        ORG  DRAW_PAGE + 0x20
deco_table:
        JPF  deco_none           ; D_NONE
        JPF  spr_clear_sides     ; D_CLEAR
        JPF  spr_food_full       ; D_FOOD
        JPF  spr_food_bitten     ; D_BITTEN
        JPF  spr_food_crumb      ; D_CRUMB
        JPF  spr_food_gone       ; D_NOFOOD
        JPF  spr_hearts_1        ; D_HEARTS1
        JPF  spr_hearts_2        ; D_HEARTS2
        JPF  spr_bang            ; D_BANG
        JPF  deco_clock          ; D_CLOCK
        JPF  deco_clock_blink    ; D_CLOCK2

; Where draw_time puts the clock "HH:MM": display RAM address (low byte,
; rows 0-7) of each column of each digit position, and of the colon.
;
TIME_P0C0 = 0x0e       ; digit 0, column 0: x 7, SEG 7
TIME_P0C1 = 0x12       ; digit 0, column 1: x 8, SEG 9
TIME_P0C2 = 0x14       ; digit 0, column 2: x 9, SEG 10
TIME_P1C0 = 0x18       ; digit 1, column 0: x 11, SEG 12
TIME_P1C1 = 0x1a       ; digit 1, column 1: x 12, SEG 13
TIME_P1C2 = 0x1c       ; digit 1, column 2: x 13, SEG 14
TIME_P2C0 = 0x46       ; digit 2, column 0: x 17, SEG 35
TIME_P2C1 = 0x44       ; digit 2, column 1: x 18, SEG 34
TIME_P2C2 = 0x42       ; digit 2, column 2: x 19, SEG 33
TIME_P3C0 = 0x3e       ; digit 3, column 0: x 21, SEG 31
TIME_P3C1 = 0x3c       ; digit 3, column 1: x 22, SEG 30
TIME_P3C2 = 0x3a       ; digit 3, column 2: x 23, SEG 29
TIME_COLON = 0x20      ; x 15, SEG 16
COLON_BITS = 0x28      ; rows 3 and 5

; The clock font, 3x5, one RETD per digit column: row ROW_DIGIT + c of the
; table page holds column c of digits 0-9 (and 10 = blank) at rows 2-6.
;

        ORG  TABLE_PAGE + (ROW_DIGIT + 0) * 16
        RETD 0x7c           ; digit  0, column 0: #####
        RETD 0x48           ; digit  1, column 0: .#..#
        RETD 0x74           ; digit  2, column 0: #.###
        RETD 0x44           ; digit  3, column 0: #...#
        RETD 0x1c           ; digit  4, column 0: ###..
        RETD 0x5c           ; digit  5, column 0: ###.#
        RETD 0x7c           ; digit  6, column 0: #####
        RETD 0x04           ; digit  7, column 0: #....
        RETD 0x7c           ; digit  8, column 0: #####
        RETD 0x5c           ; digit  9, column 0: ###.#
        RETD 0x00           ; digit 10, column 0: .....

        ORG  TABLE_PAGE + (ROW_DIGIT + 1) * 16
        RETD 0x44           ; digit  0, column 1: #...#
        RETD 0x7c           ; digit  1, column 1: #####
        RETD 0x54           ; digit  2, column 1: #.#.#
        RETD 0x54           ; digit  3, column 1: #.#.#
        RETD 0x10           ; digit  4, column 1: ..#..
        RETD 0x54           ; digit  5, column 1: #.#.#
        RETD 0x54           ; digit  6, column 1: #.#.#
        RETD 0x74           ; digit  7, column 1: #.###
        RETD 0x54           ; digit  8, column 1: #.#.#
        RETD 0x54           ; digit  9, column 1: #.#.#
        RETD 0x00           ; digit 10, column 1: .....

        ORG  TABLE_PAGE + (ROW_DIGIT + 2) * 16
        RETD 0x7c           ; digit  0, column 2: #####
        RETD 0x40           ; digit  1, column 2: ....#
        RETD 0x5c           ; digit  2, column 2: ###.#
        RETD 0x7c           ; digit  3, column 2: #####
        RETD 0x7c           ; digit  4, column 2: #####
        RETD 0x74           ; digit  5, column 2: #.###
        RETD 0x74           ; digit  6, column 2: #.###
        RETD 0x0c           ; digit  7, column 2: ##...
        RETD 0x7c           ; digit  8, column 2: #####
        RETD 0x7c           ; digit  9, column 2: #####
        RETD 0x00           ; digit 10, column 2: .....

        ORG  SPRITE_PAGE

; creature: STAND
;
;   ............
;   ......###...
;   .....#.##...
;   .....#......
;   ...######...
;   ..#......#..
;   .#........#.
;   .#..#..#..#.
;   .#..#..#..#.
;   .#........#.
;   ##.#....#.##
;   .#..####..#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_stand:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0xc0        ; x 11: ......##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0x10        ; x 13: ....#...
        LBPX MX,0x90        ; x 14: ....#..#
        LBPX MX,0x1c        ; x 15: ..###...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0xc0        ; x 20: ......##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x16        ; x 18: .##.#...
        LBPX MX,0x96        ; x 17: .##.#..#
        LBPX MX,0x12        ; x 16: .#..#...
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe4        ; x 13: ..#..###
        LBPX MX,0x29        ; x 14: #..#.#..
        LBPX MX,0x28        ; x 15: ...#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe4        ; x 18: ..#..###
        LBPX MX,0x29        ; x 17: #..#.#..
        LBPX MX,0x28        ; x 16: ...#.#..
        RET

; creature: BOB
;
;   ............
;   ............
;   ......###...
;   .....#.##...
;   ....#.......
;   ...######...
;   ..#......#..
;   .#........#.
;   .#..#..#..#.
;   .#..#..#..#.
;   ##........##
;   .#.#....#.#.
;   .#..####..#.
;   ..#......#..
;   ...######...
;   ..##....##..
spr_bob:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x80        ; x 11: .......#
        LBPX MX,0x40        ; x 12: ......#.
        LBPX MX,0x20        ; x 13: .....#..
        LBPX MX,0x30        ; x 14: ....##..
        LBPX MX,0x28        ; x 15: ...#.#..
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x80        ; x 20: .......#
        LBPX MX,0x40        ; x 19: ......#.
        LBPX MX,0x2c        ; x 18: ..##.#..
        LBPX MX,0x2c        ; x 17: ..##.#..
        LBPX MX,0x24        ; x 16: ..#..#..
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x1f        ; x 11: #####...
        LBPX MX,0xa0        ; x 12: .....#.#
        LBPX MX,0xc8        ; x 13: ...#..##
        LBPX MX,0x53        ; x 14: ##..#.#.
        LBPX MX,0x50        ; x 15: ....#.#.
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x1f        ; x 20: #####...
        LBPX MX,0xa0        ; x 19: .....#.#
        LBPX MX,0xc8        ; x 18: ...#..##
        LBPX MX,0x53        ; x 17: ##..#.#.
        LBPX MX,0x50        ; x 16: ....#.#.
        RET

; creature: BLINK
;
;   ............
;   ......###...
;   .....#.##...
;   .....#......
;   ...######...
;   ..#......#..
;   .#........#.
;   .#........#.
;   .#.##..##.#.
;   .#........#.
;   ##.#....#.##
;   .#..####..#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_blink:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0xc0        ; x 11: ......##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0x10        ; x 13: ....#...
        LBPX MX,0x10        ; x 14: ....#...
        LBPX MX,0x1c        ; x 15: ..###...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0xc0        ; x 20: ......##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x16        ; x 18: .##.#...
        LBPX MX,0x16        ; x 17: .##.#...
        LBPX MX,0x12        ; x 16: .#..#...
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe5        ; x 13: #.#..###
        LBPX MX,0x29        ; x 14: #..#.#..
        LBPX MX,0x28        ; x 15: ...#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe5        ; x 18: #.#..###
        LBPX MX,0x29        ; x 17: #..#.#..
        LBPX MX,0x28        ; x 16: ...#.#..
        RET

; creature: LOOKL
;
;   ............
;   .....###....
;   .....##.#...
;   .......#....
;   ...######...
;   ..#......#..
;   .#........#.
;   .#.#..#...#.
;   .#.#..#...#.
;   .#........#.
;   ##.#...#..##
;   .#..###...#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_look_left:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0xc0        ; x 11: ......##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0x90        ; x 13: ....#..#
        LBPX MX,0x10        ; x 14: ....#...
        LBPX MX,0x16        ; x 15: .##.#...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0xc0        ; x 20: ......##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x14        ; x 18: ..#.#...
        LBPX MX,0x1a        ; x 17: .#.##...
        LBPX MX,0x96        ; x 16: .##.#..#
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe5        ; x 13: #.#..###
        LBPX MX,0x28        ; x 14: ...#.#..
        LBPX MX,0x28        ; x 15: ...#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe0        ; x 18: .....###
        LBPX MX,0x24        ; x 17: ..#..#..
        LBPX MX,0x29        ; x 16: #..#.#..
        RET

; creature: LOOKR
;
;   ............
;   ......###...
;   .....#.##...
;   .....#......
;   ...######...
;   ..#......#..
;   .#........#.
;   .#...#..#.#.
;   .#...#..#.#.
;   .#........#.
;   ##..#...#.##
;   .#...###..#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_look_right:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0xc0        ; x 11: ......##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0x10        ; x 13: ....#...
        LBPX MX,0x10        ; x 14: ....#...
        LBPX MX,0x9c        ; x 15: ..###..#
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0xc0        ; x 20: ......##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x96        ; x 18: .##.#..#
        LBPX MX,0x16        ; x 17: .##.#...
        LBPX MX,0x12        ; x 16: .#..#...
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe0        ; x 13: .....###
        LBPX MX,0x24        ; x 14: ..#..#..
        LBPX MX,0x29        ; x 15: #..#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe5        ; x 18: #.#..###
        LBPX MX,0x28        ; x 17: ...#.#..
        LBPX MX,0x28        ; x 16: ...#.#..
        RET

; creature: EAT
;
;   ............
;   .....###....
;   .....##.#...
;   .......#....
;   ...######...
;   ..#......#..
;   .#.#..#...#.
;   .#.#..#...#.
;   .#........#.
;   .#.###....#.
;   ##.#.#....##
;   .#.###....#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_eat_open:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0xc0        ; x 11: ......##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0xd0        ; x 13: ....#.##
        LBPX MX,0x10        ; x 14: ....#...
        LBPX MX,0x16        ; x 15: .##.#...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0xc0        ; x 20: ......##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x14        ; x 18: ..#.#...
        LBPX MX,0x1a        ; x 17: .#.##...
        LBPX MX,0xd6        ; x 16: .##.#.##
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xee        ; x 13: .###.###
        LBPX MX,0x2a        ; x 14: .#.#.#..
        LBPX MX,0x2e        ; x 15: .###.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe0        ; x 18: .....###
        LBPX MX,0x20        ; x 17: .....#..
        LBPX MX,0x20        ; x 16: .....#..
        RET

; creature: CHEW
;
;   ............
;   ............
;   .....###....
;   .....##.#...
;   .......#....
;   ...######...
;   ..#......#..
;   .#........#.
;   .#.##.##..#.
;   .#........#.
;   ##.#.#....##
;   .#..#.....#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_eat_shut:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x80        ; x 11: .......#
        LBPX MX,0x40        ; x 12: ......#.
        LBPX MX,0x20        ; x 13: .....#..
        LBPX MX,0x20        ; x 14: .....#..
        LBPX MX,0x2c        ; x 15: ..##.#..
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x80        ; x 20: .......#
        LBPX MX,0x40        ; x 19: ......#.
        LBPX MX,0x28        ; x 18: ...#.#..
        LBPX MX,0x34        ; x 17: ..#.##..
        LBPX MX,0x2c        ; x 16: ..##.#..
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x04        ; x 10: ..#.....
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe5        ; x 13: #.#..###
        LBPX MX,0x29        ; x 14: #..#.#..
        LBPX MX,0x24        ; x 15: ..#..#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x04        ; x 21: ..#.....
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe0        ; x 18: .....###
        LBPX MX,0x21        ; x 17: #....#..
        LBPX MX,0x21        ; x 16: #....#..
        RET

; creature: HAPPY
;
;   ............
;   ......###...
;   #....#.##..#
;   #....#.....#
;   .#.######.#.
;   ..#......#..
;   .#........#.
;   .#..#..#..#.
;   .#.#.##.#.#.
;   .#........#.
;   .#.#....#.#.
;   .#..####..#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_happy:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x0c        ; x 10: ..##....
        LBPX MX,0xd0        ; x 11: ....#.##
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0x10        ; x 13: ....#...
        LBPX MX,0x90        ; x 14: ....#..#
        LBPX MX,0x1c        ; x 15: ..###...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x0c        ; x 21: ..##....
        LBPX MX,0xd0        ; x 20: ....#.##
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0x16        ; x 18: .##.#...
        LBPX MX,0x96        ; x 17: .##.#..#
        LBPX MX,0x12        ; x 16: .#..#...
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe5        ; x 13: #.#..###
        LBPX MX,0x28        ; x 14: ...#.#..
        LBPX MX,0x29        ; x 15: #..#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe5        ; x 18: #.#..###
        LBPX MX,0x28        ; x 17: ...#.#..
        LBPX MX,0x29        ; x 16: #..#.#..
        RET

; creature: HOP
;
;   ......###...
;   #....#.##..#
;   #....#.....#
;   .#.######.#.
;   ..#......#..
;   .#........#.
;   .#..#..#..#.
;   .#.#.##.#.#.
;   .#........#.
;   .#.#....#.#.
;   .#..####..#.
;   ..#......#..
;   ...######...
;   ..#......#..
;   .##......##.
;   ............
spr_hop:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x06        ; x 10: .##.....
        LBPX MX,0xe8        ; x 11: ...#.###
        LBPX MX,0x10        ; x 12: ....#...
        LBPX MX,0x88        ; x 13: ...#...#
        LBPX MX,0x48        ; x 14: ...#..#.
        LBPX MX,0x8e        ; x 15: .###...#
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x06        ; x 21: .##.....
        LBPX MX,0xe8        ; x 20: ...#.###
        LBPX MX,0x10        ; x 19: ....#...
        LBPX MX,0x8b        ; x 18: ##.#...#
        LBPX MX,0x4b        ; x 17: ##.#..#.
        LBPX MX,0x89        ; x 16: #..#...#
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x47        ; x 11: ###...#.
        LBPX MX,0x68        ; x 12: ...#.##.
        LBPX MX,0x12        ; x 13: .#..#...
        LBPX MX,0x14        ; x 14: ..#.#...
        LBPX MX,0x14        ; x 15: ..#.#...
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x47        ; x 20: ###...#.
        LBPX MX,0x68        ; x 19: ...#.##.
        LBPX MX,0x12        ; x 18: .#..#...
        LBPX MX,0x14        ; x 17: ..#.#...
        LBPX MX,0x14        ; x 16: ..#.#...
        RET

; creature: SURPRISED
;
;   .....#......
;   ....#.#.....
;   .....#......
;   .....#......
;   #..######..#
;   .##......##.
;   .#.##..##.#.
;   .#.##..##.#.
;   .#........#.
;   .#...##...#.
;   .#..#..#..#.
;   .#...##...#.
;   ..#......#..
;   ...######...
;   ...#....#...
;   ..##....##..
spr_surprised:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x10        ; x 10: ....#...
        LBPX MX,0xe0        ; x 11: .....###
        LBPX MX,0x20        ; x 12: .....#..
        LBPX MX,0xd0        ; x 13: ....#.##
        LBPX MX,0xd2        ; x 14: .#..#.##
        LBPX MX,0x1d        ; x 15: #.###...
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x10        ; x 21: ....#...
        LBPX MX,0xe0        ; x 20: .....###
        LBPX MX,0x20        ; x 19: .....#..
        LBPX MX,0xd0        ; x 18: ....#.##
        LBPX MX,0xd0        ; x 17: ....#.##
        LBPX MX,0x12        ; x 16: .#..#...
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x0f        ; x 11: ####....
        LBPX MX,0x90        ; x 12: ....#..#
        LBPX MX,0xe0        ; x 13: .....###
        LBPX MX,0x24        ; x 14: ..#..#..
        LBPX MX,0x2a        ; x 15: .#.#.#..
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x0f        ; x 20: ####....
        LBPX MX,0x90        ; x 19: ....#..#
        LBPX MX,0xe0        ; x 18: .....###
        LBPX MX,0x24        ; x 17: ..#..#..
        LBPX MX,0x2a        ; x 16: .#.#.#..
        RET

; creature: PEEK
;
;   ............
;   ............
;   ............
;   ............
;   ............
;   ............
;   ............
;   ............
;   .....#.##...
;   ...######...
;   ..#......#..
;   .#..#..#..#.
;   .#..#..#..#.
;   .#........#.
;   ##.#....#.##
;   .#..####..#.
spr_peek:
        LD   X,0x16         ; rows 0-7 of SEG 11 (x 10) and on
        LBPX MX,0x00        ; x 10: ........
        LBPX MX,0x00        ; x 11: ........
        LBPX MX,0x00        ; x 12: ........
        LBPX MX,0x00        ; x 13: ........
        LBPX MX,0x00        ; x 14: ........
        LBPX MX,0x00        ; x 15: ........
        LD   X,0x3e         ; rows 0-7 of SEG 31 (x 21) and on
        LBPX MX,0x00        ; x 21: ........
        LBPX MX,0x00        ; x 20: ........
        LBPX MX,0x00        ; x 19: ........
        LBPX MX,0x00        ; x 18: ........
        LBPX MX,0x00        ; x 17: ........
        LBPX MX,0x00        ; x 16: ........
        LD   X,0x96         ; rows 8-15 of SEG 11 (x 10) and on
        LBPX MX,0x40        ; x 10: ......#.
        LBPX MX,0xf8        ; x 11: ...#####
        LBPX MX,0x04        ; x 12: ..#.....
        LBPX MX,0x42        ; x 13: .#....#.
        LBPX MX,0x9a        ; x 14: .#.##..#
        LBPX MX,0x83        ; x 15: ##.....#
        LD   X,0xbe         ; rows 8-15 of SEG 31 (x 21) and on
        LBPX MX,0x40        ; x 21: ......#.
        LBPX MX,0xf8        ; x 20: ...#####
        LBPX MX,0x04        ; x 19: ..#.....
        LBPX MX,0x43        ; x 18: ##....#.
        LBPX MX,0x9b        ; x 17: ##.##..#
        LBPX MX,0x82        ; x 16: .#.....#
        RET

; decoration: CLEAR
;
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
spr_clear_sides:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x28         ; rows 0-7 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0x00        ; x 25: ........
        LBPX MX,0x00        ; x 24: ........
        LD   X,0x3a         ; rows 0-7 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0xa8         ; rows 8-15 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0x00        ; x 25: ........
        LBPX MX,0x00        ; x 24: ........
        LD   X,0xba         ; rows 8-15 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        RET

; decoration: FOOD
;
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   .....#....
;   ....#.....
;   ..##.##...
;   .#..#..#..
;   .#.....#..
;   .#.....#..
;   ..#...#...
;   ...###....
;   ..........
spr_food_full:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x80        ; x  5: .......#
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x1c        ; x  1: ..###...
        LBPX MX,0x22        ; x  2: .#...#..
        LBPX MX,0x42        ; x  3: .#....#.
        LBPX MX,0x45        ; x  4: #.#...#.
        LBPX MX,0x42        ; x  5: .#....#.
        LBPX MX,0x22        ; x  6: .#...#..
        LBPX MX,0x1c        ; x  7: ..###...
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        RET

; decoration: BITTEN
;
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   .....#....
;   ....#.....
;   ..##.#....
;   .#..#.#...
;   .#...#....
;   .#...#....
;   ..#..#....
;   ...##.....
;   ..........
spr_food_bitten:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x80        ; x  5: .......#
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x1c        ; x  1: ..###...
        LBPX MX,0x22        ; x  2: .#...#..
        LBPX MX,0x42        ; x  3: .#....#.
        LBPX MX,0x45        ; x  4: #.#...#.
        LBPX MX,0x3a        ; x  5: .#.###..
        LBPX MX,0x04        ; x  6: ..#.....
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        RET

; decoration: CRUMB
;
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ....#.....
;   ...#.#....
;   ....#.....
;   ..........
;   ..........
spr_food_crumb:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x10        ; x  3: ....#...
        LBPX MX,0x28        ; x  4: ...#.#..
        LBPX MX,0x10        ; x  5: ....#...
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        RET

; decoration: NOFOOD
;
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
;   ..........
spr_food_gone:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        RET

; decoration: HEARTS1
;
;   ................................
;   .##.##..........................
;   #..#..#.........................
;   #.....#.........................
;   .#...#..........................
;   ..#.#...........................
;   ...#............................
;   ................................
;   ................................
;   ........................##.##...
;   .......................#..#..#..
;   .......................#.....#..
;   ........................#...#...
;   .........................#.#....
;   ..........................#.....
;   ................................
spr_hearts_1:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x0c        ; x  0: ..##....
        LBPX MX,0x12        ; x  1: .#..#...
        LBPX MX,0x22        ; x  2: .#...#..
        LBPX MX,0x44        ; x  3: ..#...#.
        LBPX MX,0x22        ; x  4: .#...#..
        LBPX MX,0x12        ; x  5: .#..#...
        LBPX MX,0x0c        ; x  6: ..##....
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x28         ; rows 0-7 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0x00        ; x 25: ........
        LBPX MX,0x00        ; x 24: ........
        LD   X,0x3a         ; rows 0-7 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0xa8         ; rows 8-15 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x0c        ; x 29: ..##....
        LBPX MX,0x12        ; x 28: .#..#...
        LBPX MX,0x22        ; x 27: .#...#..
        LBPX MX,0x44        ; x 26: ..#...#.
        LBPX MX,0x22        ; x 25: .#...#..
        LBPX MX,0x12        ; x 24: .#..#...
        LD   X,0xba         ; rows 8-15 of SEG 29 (x 23) and on
        LBPX MX,0x0c        ; x 23: ..##....
        LBPX MX,0x00        ; x 22: ........
        RET

; decoration: HEARTS2
;
;   ................................
;   .........................##.##..
;   ........................#..#..#.
;   ........................#.....#.
;   .........................#...#..
;   ..........................#.#...
;   ...........................#....
;   ................................
;   ................................
;   .##.##..........................
;   #..#..#.........................
;   #.....#.........................
;   .#...#..........................
;   ..#.#...........................
;   ...#............................
;   ................................
spr_hearts_2:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x00        ; x  2: ........
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x00        ; x  4: ........
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x00        ; x  6: ........
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x28         ; rows 0-7 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x0c        ; x 30: ..##....
        LBPX MX,0x12        ; x 29: .#..#...
        LBPX MX,0x22        ; x 28: .#...#..
        LBPX MX,0x44        ; x 27: ..#...#.
        LBPX MX,0x22        ; x 26: .#...#..
        LBPX MX,0x12        ; x 25: .#..#...
        LBPX MX,0x0c        ; x 24: ..##....
        LD   X,0x3a         ; rows 0-7 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x0c        ; x  0: ..##....
        LBPX MX,0x12        ; x  1: .#..#...
        LBPX MX,0x22        ; x  2: .#...#..
        LBPX MX,0x44        ; x  3: ..#...#.
        LBPX MX,0x22        ; x  4: .#...#..
        LBPX MX,0x12        ; x  5: .#..#...
        LBPX MX,0x0c        ; x  6: ..##....
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0xa8         ; rows 8-15 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0x00        ; x 25: ........
        LBPX MX,0x00        ; x 24: ........
        LD   X,0xba         ; rows 8-15 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        RET

; decoration: BANG
;
;   ................................
;   ........................##......
;   ........................##......
;   ........................##......
;   ......#.................##......
;   ....#...................##......
;   ..#.....................##......
;   ........................##......
;   ..#.............................
;   ....#...................##......
;   ......#.................##......
;   ................................
;   ................................
;   ................................
;   ................................
;   ................................
spr_bang:
        LD   X,0x00         ; rows 0-7 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x40        ; x  2: ......#.
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x20        ; x  4: .....#..
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x10        ; x  6: ....#...
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x12         ; rows 0-7 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0x28         ; rows 0-7 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0xfe        ; x 25: .#######
        LBPX MX,0xfe        ; x 24: .#######
        LD   X,0x3a         ; rows 0-7 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        LD   X,0x80         ; rows 8-15 of SEG 0 (x 0) and on
        LBPX MX,0x00        ; x  0: ........
        LBPX MX,0x00        ; x  1: ........
        LBPX MX,0x01        ; x  2: #.......
        LBPX MX,0x00        ; x  3: ........
        LBPX MX,0x02        ; x  4: .#......
        LBPX MX,0x00        ; x  5: ........
        LBPX MX,0x04        ; x  6: ..#.....
        LBPX MX,0x00        ; x  7: ........
        LD   X,0x92         ; rows 8-15 of SEG 9 (x 8) and on
        LBPX MX,0x00        ; x  8: ........
        LBPX MX,0x00        ; x  9: ........
        LD   X,0xa8         ; rows 8-15 of SEG 20 (x 31) and on
        LBPX MX,0x00        ; x 31: ........
        LBPX MX,0x00        ; x 30: ........
        LBPX MX,0x00        ; x 29: ........
        LBPX MX,0x00        ; x 28: ........
        LBPX MX,0x00        ; x 27: ........
        LBPX MX,0x00        ; x 26: ........
        LBPX MX,0x06        ; x 25: .##.....
        LBPX MX,0x06        ; x 24: .##.....
        LD   X,0xba         ; rows 8-15 of SEG 29 (x 23) and on
        LBPX MX,0x00        ; x 23: ........
        LBPX MX,0x00        ; x 22: ........
        RET

; ==== END GENERATED ====
